import pickle
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sla_monitor.domain.calendar import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
BER = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def office(**kwargs) -> BusinessCalendar:
    return BusinessCalendar.working_hours("office", days=range(5), start="09:00", end="18:00", **kwargs)


def full_days(tz: str) -> BusinessCalendar:
    return BusinessCalendar(
        calendar_id="full-days", timezone=tz, hours={d: (("00:00", "24:00"),) for d in range(7)}
    )


# --------------------------------------------------------------------------- basic office hours


def test_friday_evening_plus_four_hours_lands_monday_1230():
    cal = office()
    due = cal.add(sh(2026, 3, 6, 17, 30), 4 * H)  # Friday
    assert due.tzinfo is UTC
    assert due.astimezone(SH) == sh(2026, 3, 9, 12, 30)  # Monday
    assert cal.elapsed(sh(2026, 3, 6, 17, 30), due) == 4 * H


def test_start_before_opening_counts_from_opening():
    cal = office()
    assert cal.add(sh(2026, 3, 9, 7, 0), 2 * H).astimezone(SH) == sh(2026, 3, 9, 11, 0)
    assert cal.elapsed(sh(2026, 3, 9, 0, 0), sh(2026, 3, 9, 10, 0)) == H


def test_start_exactly_at_closing_rolls_to_next_day():
    cal = office()
    assert cal.add(sh(2026, 3, 9, 18, 0), H).astimezone(SH) == sh(2026, 3, 10, 10, 0)
    assert not cal.is_working(sh(2026, 3, 9, 18, 0))
    assert cal.is_working(sh(2026, 3, 9, 9, 0))
    assert cal.is_working(sh(2026, 3, 9, 17, 59))
    assert not cal.is_working(sh(2026, 3, 7, 12, 0))  # Saturday


def test_duration_exhausting_the_window_ends_at_closing_not_next_opening():
    cal = office()
    assert cal.add(sh(2026, 3, 9, 9, 0), 9 * H).astimezone(SH) == sh(2026, 3, 9, 18, 0)


def test_zero_duration_returns_start_even_outside_working_time():
    cal = office()
    start = sh(2026, 3, 7, 3, 0)  # Saturday night
    assert cal.add(start, timedelta(0)) == start
    assert cal.add(start, timedelta(0)).tzinfo is UTC


def test_full_week_of_office_hours():
    cal = office()
    assert cal.elapsed(sh(2026, 3, 9), sh(2026, 3, 16)) == 45 * H
    assert cal.elapsed(sh(2026, 3, 16), sh(2026, 3, 9)) == timedelta(0)


# --------------------------------------------------------------------------- other shapes


def test_night_calendar_crosses_midnight():
    cal = BusinessCalendar(
        calendar_id="night", hours={d: (("22:00", "24:00"), ("00:00", "06:00")) for d in range(7)}
    )
    assert cal.add(sh(2026, 3, 9, 23, 0), 3 * H).astimezone(SH) == sh(2026, 3, 10, 2, 0)
    assert cal.add(sh(2026, 3, 9, 23, 0), 7 * H).astimezone(SH) == sh(2026, 3, 10, 6, 0)
    assert cal.add(sh(2026, 3, 9, 7, 0), H).astimezone(SH) == sh(2026, 3, 9, 23, 0)
    assert cal.elapsed(sh(2026, 3, 9, 21, 0), sh(2026, 3, 10, 7, 0)) == 8 * H
    assert cal.is_working(sh(2026, 3, 10, 0, 0))
    assert not cal.is_working(sh(2026, 3, 10, 6, 0))


def test_seven_by_eight_works_weekends():
    cal = BusinessCalendar.working_hours("7x8", days=range(7), start="08:00", end="16:00")
    assert cal.add(sh(2026, 3, 7, 15, 0), 2 * H).astimezone(SH) == sh(2026, 3, 8, 9, 0)  # Sat->Sun
    assert cal.elapsed(sh(2026, 3, 2), sh(2026, 3, 9)) == 56 * H


def test_holidays_skipped_and_makeup_saturday_counted():
    national_day = frozenset(date(2026, 10, d) for d in range(1, 8))
    makeup = frozenset({date(2026, 10, 10)})  # a Saturday worked
    cal = office(holidays=national_day, makeup_workdays=makeup)
    # Wed 30 Sep 17:00 + 2h: 1h on the 30th, holidays skipped, 1h on Thu 8 Oct.
    assert cal.add(sh(2026, 9, 30, 17, 0), 2 * H).astimezone(SH) == sh(2026, 10, 8, 10, 0)
    # Fri 9 Oct 17:00 + 2h: 1h on Friday, 1h on the make-up Saturday.
    assert cal.add(sh(2026, 10, 9, 17, 0), 2 * H).astimezone(SH) == sh(2026, 10, 10, 10, 0)
    assert cal.is_working(sh(2026, 10, 10, 12, 0))
    assert not cal.is_working(sh(2026, 10, 1, 12, 0))
    assert not cal.is_working(sh(2026, 10, 11, 12, 0))  # ordinary Sunday
    assert cal.elapsed(sh(2026, 9, 28), sh(2026, 10, 12)) == 3 * 9 * H + 9 * H + 9 * H + 9 * H


def test_makeup_weekday_hours_are_used():
    cal = BusinessCalendar(
        calendar_id="short-fridays",
        hours={0: (("09:00", "18:00"),), 4: (("09:00", "12:00"),)},
        makeup_workdays=frozenset({date(2026, 3, 7)}),
        makeup_weekday=4,
    )
    assert cal.elapsed(sh(2026, 3, 7), sh(2026, 3, 8)) == 3 * H


def test_holiday_on_24x7_calendar_is_excluded():
    cal = BusinessCalendar(calendar_id="24x7-hol", holidays=frozenset({date(2026, 3, 8)}))
    assert cal.add(sh(2026, 3, 7, 23, 0), 2 * H).astimezone(SH) == sh(2026, 3, 9, 1, 0)
    assert not cal.is_working(sh(2026, 3, 8, 12, 0))


# --------------------------------------------------------------------------- 7x24


def test_always_adds_exact_real_time():
    cal = BusinessCalendar.always()
    start = datetime(2026, 3, 7, 12, 0, tzinfo=NY)  # across the spring-forward night
    due = cal.add(start, 24 * H)
    assert due == datetime(2026, 3, 8, 17, 0, tzinfo=UTC)
    assert due.astimezone(NY) == datetime(2026, 3, 8, 13, 0, tzinfo=NY)
    assert cal.elapsed(start, due) == 24 * H
    assert cal.is_working(start)
    assert cal.calendar_id == "24x7"


# --------------------------------------------------------------------------- DST


@pytest.mark.parametrize(
    ("tz", "spring", "autumn"),
    [
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
    ],
)
def test_dst_days_have_real_lengths(tz, spring, autumn):
    zone = ZoneInfo(tz)

    def midnight(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=zone)

    always, windows = BusinessCalendar.always(), full_days(tz)
    for cal in (always, windows):
        assert cal.elapsed(midnight(spring), midnight(spring + timedelta(days=1))) == 23 * H
        assert cal.elapsed(midnight(autumn), midnight(autumn + timedelta(days=1))) == 25 * H
        # 24 real hours from local midnight: 01:00 next day in spring, 23:00 same day in autumn.
        assert cal.add(midnight(spring), 24 * H).astimezone(zone).replace(tzinfo=None) == datetime(
            spring.year, spring.month, spring.day + 1, 1, 0
        )
        assert cal.add(midnight(autumn), 24 * H).astimezone(zone).replace(tzinfo=None) == datetime(
            autumn.year, autumn.month, autumn.day, 23, 0
        )
    # Both agree on an ordinary day too.
    ordinary = spring + timedelta(days=7)
    assert windows.elapsed(midnight(ordinary), midnight(ordinary + timedelta(days=1))) == 24 * H


def test_spring_forward_window_is_shorter_and_fall_back_window_longer():
    cal = BusinessCalendar(calendar_id="early", timezone="America/New_York", hours={6: (("01:00", "04:00"),)})
    spring = datetime(2026, 3, 8, tzinfo=NY)
    autumn = datetime(2026, 11, 1, tzinfo=NY)
    assert cal.elapsed(spring, spring + timedelta(days=1)) == 2 * H
    assert cal.elapsed(autumn, autumn + timedelta(days=1)) == 4 * H
    ordinary = datetime(2026, 3, 15, tzinfo=NY)
    assert cal.elapsed(ordinary, ordinary + timedelta(days=1)) == 3 * H
    # 2h from the spring opening: 01:00 EST + 2h real = 04:00 EDT
    assert cal.add(datetime(2026, 3, 8, 1, 0, tzinfo=NY), 2 * H) == datetime(2026, 3, 8, 8, 0, tzinfo=UTC)


def test_window_inside_spring_gap_is_dropped():
    cal = BusinessCalendar(calendar_id="gap", timezone="America/New_York", hours={6: (("02:00", "03:00"),)})
    spring = datetime(2026, 3, 8, tzinfo=NY)
    assert cal.elapsed(spring, spring + timedelta(days=1)) == timedelta(0)
    assert cal.elapsed(spring, spring + timedelta(days=8)) == H  # next Sunday is normal


def test_office_hours_unaffected_by_dst_transition_outside_window():
    cal = BusinessCalendar.working_hours(
        "ber", days=range(5), start="09:00", end="17:00", timezone="Europe/Berlin"
    )
    fri = datetime(2026, 3, 27, 16, 0, tzinfo=BER)
    assert cal.add(fri, 2 * H).astimezone(BER) == datetime(2026, 3, 30, 10, 0, tzinfo=BER)
    assert cal.elapsed(datetime(2026, 3, 23, tzinfo=BER), datetime(2026, 4, 6, tzinfo=BER)) == 80 * H


# --------------------------------------------------------------------------- properties


@pytest.mark.parametrize(
    "cal",
    [
        BusinessCalendar.working_hours("office", days=range(5), start="09:00", end="18:00"),
        BusinessCalendar(
            calendar_id="night", hours={d: (("22:00", "24:00"), ("00:00", "06:00")) for d in range(7)}
        ),
        BusinessCalendar(
            calendar_id="split-ny",
            timezone="America/New_York",
            hours={d: (("00:30", "03:30"), ("08:00", "12:00"), ("13:00", "17:00")) for d in range(6)},
            holidays=frozenset({date(2026, 3, 10)}),
        ),
        BusinessCalendar.always(),
    ],
    ids=lambda c: c.calendar_id,
)
def test_elapsed_is_inverse_of_add(cal):
    starts = [
        datetime(2026, 3, 6, 17, 30, tzinfo=SH),
        datetime(2026, 3, 7, 0, 45, tzinfo=NY),
        datetime(2026, 3, 8, 1, 59, tzinfo=NY),
        datetime(2026, 10, 31, 23, 0, tzinfo=NY),
        datetime(2026, 11, 1, 1, 30, tzinfo=NY, fold=1),
        datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
    ]
    durations = [timedelta(minutes=1), 90 * timedelta(minutes=1), 4 * H, 13 * H, 50 * H, 300 * H]
    for start in starts:
        for duration in durations:
            due = cal.add(start, duration)
            assert due > start
            assert cal.elapsed(start, due) == duration, (start, duration)
            # the deadline is the earliest such instant: a minute earlier is not enough
            assert cal.elapsed(start, due - timedelta(minutes=1)) < duration
            # add(elapsed) never overshoots the end point
            end = start.astimezone(UTC) + duration * 2  # real time, not wall time
            assert cal.add(start, cal.elapsed(start, end)) <= end


def test_is_working_agrees_with_elapsed():
    cal = BusinessCalendar(
        calendar_id="split", hours={0: (("09:00", "12:00"), ("13:00", "18:00")), 5: (("10:00", "11:00"),)}
    )
    t = sh(2026, 3, 9)
    while t < sh(2026, 3, 16):
        assert cal.is_working(t) == (cal.elapsed(t, t + timedelta(minutes=30)) > timedelta(0)), t
        t += timedelta(minutes=30)


# --------------------------------------------------------------------------- validation & perf


def test_naive_datetimes_rejected():
    cal = office()
    naive = datetime(2026, 3, 9, 10, 0)
    with pytest.raises(ValueError):
        cal.add(naive, H)
    with pytest.raises(ValueError):
        cal.elapsed(naive, sh(2026, 3, 10))
    with pytest.raises(ValueError):
        cal.elapsed(sh(2026, 3, 8), naive)
    with pytest.raises(ValueError):
        cal.is_working(naive)
    with pytest.raises(ValueError):
        BusinessCalendar.always().add(naive, H)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"hours": {0: (("18:00", "09:00"),)}},
        {"hours": {0: (("09:00", "25:00"),)}},
        {"hours": {0: (("24:00", "24:00"),)}},
        {"hours": {0: (("9am", "5pm"),)}},
        {"hours": {7: (("09:00", "17:00"),)}},
        {"timezone": "Mars/Olympus_Mons"},
        {"makeup_weekday": 9},
        {"calendar_id": ""},
        {"holidays": frozenset({date(2026, 1, 1)}), "makeup_workdays": frozenset({date(2026, 1, 1)})},
    ],
)
def test_invalid_definitions_rejected(kwargs):
    with pytest.raises(ValueError):
        BusinessCalendar(**{"calendar_id": "bad", **kwargs})


def test_negative_duration_rejected():
    with pytest.raises(ValueError):
        office().add(sh(2026, 3, 9), -H)


def test_calendar_without_working_time_raises():
    cal = BusinessCalendar(calendar_id="never", hours={})
    with pytest.raises(ValueError):
        cal.add(sh(2026, 3, 9), H)
    assert cal.elapsed(sh(2026, 3, 9), sh(2026, 4, 9)) == timedelta(0)
    assert not cal.is_working(sh(2026, 3, 9, 12, 0))
    all_holidays = BusinessCalendar(
        calendar_id="closed",
        holidays=frozenset(date(2026, 1, 1) + timedelta(days=i) for i in range(4 * 366)),
    )
    with pytest.raises(ValueError):
        all_holidays.add(sh(2026, 1, 1), H)


def test_large_durations_add_and_elapse_consistently():
    cal = office()
    due = cal.add(sh(2026, 3, 9, 9, 0), 200 * H)  # 22 days of 9h + 2h
    assert due.astimezone(SH) == sh(2026, 4, 8, 11, 0)
    assert cal.elapsed(sh(2026, 3, 9, 9, 0), due) == 200 * H
    far = cal.add(sh(2026, 3, 9, 9, 0), 20_000 * H)  # ~8.5 years of office time
    assert cal.elapsed(sh(2026, 3, 9, 9, 0), far) == 20_000 * H


def test_calendar_is_hashable_and_compares_by_value():
    a = BusinessCalendar(calendar_id="c", hours={0: (("9:00", "18:00"),)}, holidays={date(2026, 1, 1)})
    b = BusinessCalendar(
        calendar_id="c", hours={0: [("09:00", "18:00")]}, holidays=frozenset({date(2026, 1, 1)})
    )
    assert a == b and hash(a) == hash(b)
    assert a.hours[0] == (("09:00", "18:00"),)
    assert isinstance(a.holidays, frozenset)
    assert {a: 1}[b] == 1
    assert pickle.loads(pickle.dumps(a)) == a
    assert a != BusinessCalendar.always("c")
