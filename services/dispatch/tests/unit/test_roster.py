from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dispatch.domain.roster import Leave, Roster, Rotation, Shift

SH = ZoneInfo("Asia/Shanghai")

# 2024-01-01 is a Monday (weekday 0).
MON = date(2024, 1, 1)


def local(day: date, hh: int, mm: int = 0, *, days: int = 0) -> datetime:
    d = day + timedelta(days=days)
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=SH)


DAY = Shift(start="09:00", end="18:00", weekdays=frozenset(range(5)))
NIGHT = Shift(start="22:00", end="06:00", weekdays=frozenset({0, 1, 2, 3, 4}))  # Mon..Fri nights


# --- Shift -------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["9:00", "25:00", "12:60", "24:00", "ab:cd", ""])
def test_shift_rejects_bad_start(bad):
    with pytest.raises(ValueError):
        Shift(start=bad, end="18:00")


def test_shift_rejects_bad_weekday():
    with pytest.raises(ValueError):
        Shift(start="09:00", end="18:00", weekdays=frozenset({7}))


def test_shift_end_24_allowed():
    Shift(start="00:00", end="24:00")


# --- regular shifts ----------------------------------------------------------------------------


def test_day_shift_bounds_are_half_open():
    roster = Roster(shifts={"a": (DAY,)})
    assert not roster.is_on_shift("a", local(MON, 8, 59))
    assert roster.is_on_shift("a", local(MON, 9, 0))
    assert roster.is_on_shift("a", local(MON, 17, 59))
    assert not roster.is_on_shift("a", local(MON, 18, 0))


def test_weekday_filter():
    roster = Roster(shifts={"a": (DAY,)})
    assert roster.is_on_shift("a", local(MON, 12, days=4))  # Friday
    assert not roster.is_on_shift("a", local(MON, 12, days=5))  # Saturday


def test_input_in_other_timezone_is_converted_to_local():
    roster = Roster(shifts={"a": (DAY,)})
    assert roster.is_on_shift("a", datetime(2024, 1, 1, 1, 0, tzinfo=UTC))  # 09:00 Shanghai
    assert not roster.is_on_shift("a", datetime(2024, 1, 1, 0, 59, tzinfo=UTC))


def test_night_shift_crosses_midnight_and_belongs_to_start_day():
    roster = Roster(shifts={"n": (NIGHT,)})
    assert roster.is_on_shift("n", local(MON, 22, 0))
    assert roster.is_on_shift("n", local(MON, 3, 0, days=1))  # Tue early morning = Mon's shift
    assert not roster.is_on_shift("n", local(MON, 6, 0, days=1))
    # Monday 03:00 belongs to Sunday's night, and Sunday is not in weekdays.
    assert not roster.is_on_shift("n", local(MON, 3, 0))
    # Friday night runs into Saturday morning even though Saturday is not a working day.
    assert roster.is_on_shift("n", local(MON, 5, 59, days=5))
    assert not roster.is_on_shift("n", local(MON, 22, 0, days=5))


def test_unknown_technician_is_never_on_shift():
    assert not Roster(shifts={"a": (DAY,)}).is_on_shift("ghost", local(MON, 12))


def test_on_shift_set():
    roster = Roster(shifts={"a": (DAY,), "n": (NIGHT,), "b": (DAY, NIGHT)})
    assert roster.on_shift(local(MON, 12)) == {"a", "b"}
    assert roster.on_shift(local(MON, 23)) == {"n", "b"}
    assert roster.on_shift(local(MON, 20)) == frozenset()


# --- leave -------------------------------------------------------------------------------------


def test_leave_takes_precedence_and_is_half_open():
    roster = Roster(
        shifts={"a": (DAY,), "b": (DAY,)},
        leave=(Leave(technician_id="a", start=local(MON, 12), end=local(MON, 14)),),
    )
    assert roster.is_on_shift("a", local(MON, 11, 59))
    assert not roster.is_on_shift("a", local(MON, 12))
    assert not roster.is_on_shift("a", local(MON, 13, 59))
    assert roster.is_on_shift("a", local(MON, 14))
    assert roster.on_shift(local(MON, 13)) == {"b"}


def test_leave_must_be_aware_and_positive():
    with pytest.raises(ValueError):
        Leave(technician_id="a", start=datetime(2024, 1, 1), end=local(MON, 12))
    with pytest.raises(ValueError):
        Leave(technician_id="a", start=local(MON, 12), end=local(MON, 12))


# --- rotation ----------------------------------------------------------------------------------

HOTLINE = Rotation(groups=("A", "B"), anchor=MON, period_days=7)


def hotline_roster(**kw):
    return Roster(shifts={}, rotation=HOTLINE, groups={"a1": "A", "a2": "A", "b1": "B"}, **kw)


def test_rotation_group_index_and_wraparound():
    assert HOTLINE.group_on_duty(local(MON, 12), SH) == "A"
    assert HOTLINE.group_on_duty(local(MON, 12, days=7), SH) == "B"
    assert HOTLINE.group_on_duty(local(MON, 12, days=14), SH) == "A"
    assert HOTLINE.group_on_duty(local(MON, 12, days=-1), SH) == "B"  # before the anchor: floor


def test_rotation_boundary_last_hour_of_a_vs_first_of_b():
    roster = hotline_roster()
    last_hour_a = local(MON, 23, 30, days=6)  # Sunday 23:30
    first_hour_b = local(MON, 0, 0, days=7)  # next Monday 00:00
    assert roster.on_shift(last_hour_a) == {"a1", "a2"}
    assert roster.on_shift(first_hour_b) == {"b1"}
    assert roster.is_on_shift("b1", first_hour_b)
    assert not roster.is_on_shift("a1", first_hour_b)


def test_rotation_with_overnight_shift_gives_early_morning_to_previous_days_group():
    night = Rotation(groups=("A", "B"), anchor=MON, period_days=7, shift=Shift(start="18:00", end="08:00"))
    roster = Roster(shifts={}, rotation=night, groups={"a1": "A", "b1": "B"})
    # Sunday 18:00 shift is A's last; it runs into Monday 08:00, the first day of B's period.
    assert night.group_on_duty(local(MON, 3, days=7), SH) == "A"
    assert roster.on_shift(local(MON, 7, 59, days=7)) == {"a1"}
    assert roster.on_shift(local(MON, 8, 0, days=7)) == frozenset()  # daytime gap
    assert roster.on_shift(local(MON, 18, 0, days=7)) == {"b1"}
    assert night.group_on_duty(local(MON, 12, days=7), SH) is None


def test_rotation_plus_regular_shift_and_leave():
    roster = Roster(
        shifts={"d": (DAY,)},
        rotation=HOTLINE,
        groups={"a1": "A", "b1": "B", "d": "B"},
        leave=(Leave(technician_id="a1", start=local(MON, 0), end=local(MON, 12)),),
    )
    assert roster.on_shift(local(MON, 10)) == {"d"}  # d via regular shift, a1 on leave
    assert roster.on_shift(local(MON, 12)) == {"a1", "d"}
    assert roster.on_shift(local(MON, 10, days=7)) == {"b1", "d"}


def test_rotation_validation():
    with pytest.raises(ValueError):
        Rotation(groups=(), anchor=MON)
    with pytest.raises(ValueError):
        Rotation(groups=("A",), anchor=MON, period_days=0)


# --- naive datetimes ---------------------------------------------------------------------------


def test_naive_datetimes_are_rejected():
    roster = hotline_roster()
    naive = datetime(2024, 1, 1, 12)
    with pytest.raises(ValueError):
        roster.is_on_shift("a1", naive)
    with pytest.raises(ValueError):
        roster.on_shift(naive)
    with pytest.raises(ValueError):
        HOTLINE.group_on_duty(naive, SH)
