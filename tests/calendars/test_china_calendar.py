"""The one China calendar: shipped data, its coverage, and the refresh command."""

import json
from datetime import date

import pytest

from shared.calendars import refresh
from shared.calendars.china import DATA_PATH, BeyondCalendar, china_calendar, load

CHINA = china_calendar()


def test_shipped_data_is_what_the_pinned_library_generates():
    assert refresh.main(["--check"]) == 0


def test_covers_2026_with_its_make_up_working_days():
    assert CHINA.covers(date(2026, 12, 31))
    assert CHINA.last_year >= 2026
    makeup_2026 = sorted(d for d in CHINA.makeup_workdays if d.year == 2026)
    assert makeup_2026 == [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ]


def test_working_days():
    assert not CHINA.is_working_day(date(2026, 10, 1))  # Thursday, National Day
    assert CHINA.is_working_day(date(2026, 9, 20))  # Sunday, make-up day
    assert not CHINA.is_working_day(date(2026, 9, 19))  # ordinary Saturday
    assert CHINA.is_working_day(date(2026, 9, 30))
    assert CHINA.next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CHINA.next_working_day(date(2026, 9, 30)) == date(2026, 9, 30)


def test_a_day_beyond_the_data_is_an_error_naming_the_refresh_command():
    beyond = date(CHINA.last_year + 1, 3, 2)
    assert not CHINA.covers(beyond)
    for question in (CHINA.is_holiday, CHINA.is_makeup_workday, CHINA.is_working_day):
        with pytest.raises(BeyondCalendar, match="python -m shared.calendars.refresh"):
            question(beyond)
    # callers that must answer anyway ask for the ordinary week explicitly
    assert CHINA.is_working_day(date(2099, 3, 2), beyond_ok=True)  # a Monday
    assert CHINA.next_working_day(date(2099, 3, 1), beyond_ok=True) == date(2099, 3, 2)


def test_refresh_writes_the_document_and_check_reports_a_stale_one(tmp_path, capsys):
    target = tmp_path / "china.json"
    assert refresh.main(["--check", "--path", str(target)]) == 1
    assert refresh.main(["--path", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == DATA_PATH.read_text(encoding="utf-8")
    assert refresh.main(["--check", "--path", str(target)]) == 0
    assert "2004-" in capsys.readouterr().out


def test_a_day_both_holiday_and_make_up_day_is_refused(tmp_path):
    path = tmp_path / "bad.json"
    day = {"2026-10-01": "National Day"}
    path.write_text(
        json.dumps({"first_year": 2026, "last_year": 2026, "holidays": day, "makeup_workdays": day})
    )
    with pytest.raises(ValueError, match="both holiday and make-up"):
        load(path)
