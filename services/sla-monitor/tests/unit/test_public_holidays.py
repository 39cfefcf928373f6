"""The seeded `cn-office` calendar follows the one China calendar (shared/calendars/china.json).

The days named here are the State Council's schedules as shipped, checked first so that a wrong data
refresh fails here with a clear message rather than as an odd deadline.
"""

import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sla_monitor.adapters.documents import CalendarDoc
from sla_monitor.domain import public_holidays
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.seeds import SEED_CALENDARS

from shared.calendars.china import china_calendar

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
CN_OFFICE = next(c for c in SEED_CALENDARS if c.calendar_id == "cn-office")
CHINA = china_calendar()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def test_four_working_hours_before_national_day_2023_land_on_the_make_up_saturday():
    # 2023: Mid-Autumn and National Day off Friday 29 September .. Friday 6 October; Thursday
    # 28 September is the last working day before, Saturday 7 October (调休) the first after.
    assert all(CHINA.is_holiday(date(2023, 9, 29) + timedelta(days=n)) for n in range(8))
    assert date(2023, 10, 7).weekday() == 5 and CHINA.is_makeup_workday(date(2023, 10, 7))
    due = CN_OFFICE.add(sh(2023, 9, 28, 16, 0), 4 * H)
    assert due.astimezone(SH) == sh(2023, 10, 7, 11, 0)  # 2 h on Thursday, 2 h on the make-up Saturday


def test_four_working_hours_before_national_day_2026_land_on_thursday_8_october():
    # 2026: off Thursday 1 .. Wednesday 7 October; the make-up days are Sunday 20 September and
    # Saturday 10 October, so the first working day after the holiday is Thursday 8 October.
    assert all(CHINA.is_holiday(date(2026, 10, 1) + timedelta(days=n)) for n in range(7))
    assert CHINA.is_makeup_workday(date(2026, 9, 20)) and CHINA.is_makeup_workday(date(2026, 10, 10))
    due = CN_OFFICE.add(sh(2026, 9, 30, 16, 0), 4 * H)  # Wednesday 30 September, last working day
    assert due.astimezone(SH) == sh(2026, 10, 8, 11, 0)


def test_2026_make_up_sunday_and_saturday_are_worked():
    assert CN_OFFICE.add(sh(2026, 9, 18, 16, 0), 4 * H).astimezone(SH) == sh(2026, 9, 20, 11, 0)
    assert CN_OFFICE.add(sh(2026, 10, 9, 16, 0), 4 * H).astimezone(SH) == sh(2026, 10, 10, 11, 0)
    assert CN_OFFICE.is_working(sh(2026, 9, 20, 10, 0))
    assert not CN_OFFICE.is_working(sh(2026, 10, 11, 10, 0))  # an ordinary Sunday


def test_reported_at_10_00_on_national_day_is_not_due_at_11_00_the_same_day():
    due = CN_OFFICE.add(sh(2026, 10, 1, 10, 0), H)
    assert due.astimezone(SH) == sh(2026, 10, 8, 10, 0)
    assert not CN_OFFICE.is_working(sh(2026, 10, 1, 10, 0))
    assert CN_OFFICE.elapsed(sh(2026, 10, 1), sh(2026, 10, 8)) == timedelta(0)


def test_the_calendar_s_own_days_win_over_the_public_ones():
    cal = BusinessCalendar.working_hours(
        "works-national-day",
        days=range(5),
        start="09:00",
        end="18:00",
        makeup_workdays={date(2026, 10, 1)},
        holidays={date(2026, 10, 8)},
        public_holidays="china",
    )
    assert cal.is_working(sh(2026, 10, 1, 10, 0))
    assert not cal.is_working(sh(2026, 10, 8, 10, 0))


def test_a_24x7_calendar_following_china_skips_public_holidays():
    cal = BusinessCalendar(calendar_id="24x7-cn", public_holidays="china")
    assert cal.add(sh(2026, 9, 30, 23, 0), 2 * H).astimezone(SH) == sh(2026, 10, 8, 1, 0)


def test_beyond_the_published_years_a_day_is_ordinary_and_a_warning_is_logged(caplog):
    year = CHINA.last_year + 1
    first_of_october = date(year, 10, 1)
    while first_of_october.weekday() >= 5:  # a week day, so "ordinary" means worked
        year += 1
        first_of_october = date(year, 10, 1)
    cal = BusinessCalendar.working_hours(
        "cn-beyond", days=range(5), start="09:00", end="18:00", public_holidays="china"
    )
    public_holidays._warned.discard(("cn-beyond", year))
    with caplog.at_level(logging.WARNING, logger=public_holidays.logger.name):
        due = cal.add(sh(year, 10, 1, 10, 0), H)
        cal.add(sh(year, 10, 1, 10, 0), H)
    assert due.astimezone(SH) == sh(year, 10, 1, 11, 0)
    warnings = [r for r in caplog.records if "beyond the China holiday calendar" in r.getMessage()]
    assert len(warnings) == 1 and "shared.calendars.refresh" in warnings[0].getMessage()


def test_unknown_public_holiday_source_is_refused():
    with pytest.raises(ValueError, match="unknown public holiday calendar"):
        BusinessCalendar(calendar_id="x", public_holidays="mars")


def test_calendar_document_round_trips_the_public_holiday_source():
    doc = CalendarDoc.from_domain(CN_OFFICE)
    assert doc.public_holidays == "china"
    assert doc.to_domain() == CN_OFFICE
    assert CalendarDoc.model_validate({"calendar_id": "plain"}).to_domain().public_holidays is None
