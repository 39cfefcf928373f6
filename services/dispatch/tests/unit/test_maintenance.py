"""Preventive maintenance schedules and visits (pure): every cadence, month ends, since-last."""

from datetime import UTC, date, datetime

import pytest
from dispatch.domain.errors import IllegalTransition, InvalidCommand
from dispatch.domain.events import MaintenanceVisitOverdue, MaintenanceVisitScheduled
from dispatch.domain.maintenance import (
    Every,
    Schedule,
    Visit,
    on_shift_that_day,
    schedule_from_document,
)
from dispatch.domain.roster_document import roster_from_document

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def schedule(every, first=date(2026, 1, 31), **kw):
    return Schedule(schedule_id="S1", every=every, first_due=first, region="SH", unit_id="U-1", **kw)


def test_monthly_from_31_january_falls_on_each_month_end_without_drift():
    assert schedule(Every.MONTH).due_dates(date(2026, 1, 1), date(2026, 5, 31)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),  # back to the 31st: counted from the first date, not from 28 February
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    assert schedule(Every.MONTH).due_dates(date(2028, 2, 1), date(2028, 2, 29)) == [date(2028, 2, 29)]


def test_quarterly():
    assert schedule(Every.QUARTER).due_dates(date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 1, 31),
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2026, 10, 31),
    ]


def test_half_yearly():
    assert schedule(Every.HALF_YEAR, date(2026, 8, 31)).due_dates(date(2026, 1, 1), date(2028, 3, 1)) == [
        date(2026, 8, 31),
        date(2027, 2, 28),
        date(2027, 8, 31),
        date(2028, 2, 29),
    ]


def test_yearly_from_a_leap_day_and_until():
    assert schedule(Every.YEAR, date(2024, 2, 29)).due_dates(date(2025, 1, 1), date(2028, 12, 31)) == [
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
    ]
    assert schedule(Every.MONTH, until=date(2026, 2, 28)).due_dates(date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
    ]


def test_elevators_at_least_every_15_days_since_the_last_completed_visit():
    lift = schedule(Every.FIFTEEN_DAYS, date(2026, 12, 1))
    assert lift.since_last and lift.days == 15
    # Never visited: the first due date (or today when it has passed: due now, not born overdue).
    assert lift.next_since_last(last_completed=None, last_due=None, today=date(2026, 11, 20)) == date(
        2026, 12, 1
    )
    assert lift.next_since_last(last_completed=None, last_due=None, today=date(2026, 12, 5)) == date(
        2026, 12, 5
    )
    # Done late (on the 10th for the 1st): the next is 15 days after the visit, not the 16th.
    assert lift.next_since_last(
        last_completed=date(2026, 12, 10), last_due=date(2026, 12, 1), today=date(2026, 12, 10)
    ) == date(2026, 12, 25)
    # Done early (on 20 November for 1 December): the next is due earlier too.
    assert lift.next_since_last(
        last_completed=date(2026, 11, 20), last_due=date(2026, 12, 1), today=date(2026, 11, 20)
    ) == date(2026, 12, 5)
    # Never on or before the last visit's own date (its id is the date).
    assert lift.next_since_last(
        last_completed=date(2026, 11, 16), last_due=date(2026, 12, 1), today=date(2026, 11, 16)
    ) == date(2026, 12, 2)
    with pytest.raises(ValueError):
        lift.due_dates(date(2026, 12, 1), date(2026, 12, 31))  # no fixed dates for a since-last cadence


def test_days_since_last_needs_an_interval_and_ends_with_the_schedule():
    every_10 = schedule(Every.DAYS_SINCE_LAST, date(2026, 1, 1), interval_days=10, until=date(2026, 1, 20))
    assert every_10.next_since_last(
        last_completed=date(2026, 1, 3), last_due=date(2026, 1, 1), today=date(2026, 1, 3)
    ) == date(2026, 1, 13)
    assert (
        every_10.next_since_last(
            last_completed=date(2026, 1, 13), last_due=date(2026, 1, 13), today=date(2026, 1, 13)
        )
        is None
    )  # the 23rd is past `until`
    for bad in (None, 0, 400):
        with pytest.raises(InvalidCommand) as exc:
            schedule(Every.DAYS_SINCE_LAST, interval_days=bad)
        assert exc.value.field == "interval_days"
    with pytest.raises(InvalidCommand) as exc:
        schedule(Every.MONTH, interval_days=10)
    assert exc.value.field == "interval_days"


def test_a_schedule_document_names_the_bad_field():
    document = {
        "schedule_id": "S",
        "every": "fortnight",
        "first_due": "2026-01-01",
        "region": "SH",
        "unit_id": "U",
    }
    with pytest.raises(InvalidCommand) as exc:
        schedule_from_document(document)
    assert exc.value.field == "every" and "half_year" in str(exc.value)
    parsed = schedule_from_document({**document, "every": "days_since_last", "interval_days": 15})
    assert parsed.days == 15


def test_a_schedule_needs_a_unit_or_contract():
    with pytest.raises(InvalidCommand):
        Schedule(schedule_id="S", every=Every.MONTH, first_due=date(2026, 1, 1), region="SH")


def test_on_shift_that_day_asks_the_whole_local_day_of_the_roster():
    roster = roster_from_document(
        {
            "timezone": "Asia/Shanghai",
            "shifts": {"li": [{"start": "08:00", "end": "17:00", "weekdays": [0, 1, 2, 3, 4]}]},
        }
    )
    friday, saturday = date(2026, 11, 27), date(2026, 11, 28)
    assert on_shift_that_day(roster.is_on_shift, friday, roster.timezone)("li")
    assert not on_shift_that_day(roster.is_on_shift, saturday, roster.timezone)("li")
    assert not on_shift_that_day(roster.is_on_shift, friday, roster.timezone)("wu")


def test_visit_tells_the_customer_7_days_before_and_is_overdue_once():
    visit = Visit.schedule(schedule(Every.MONTH), date(2026, 12, 10), NOW)
    scheduled = visit.pending_events[0]
    assert isinstance(scheduled, MaintenanceVisitScheduled) and scheduled.notify_on == date(2026, 12, 3)
    assert not visit.mark_overdue(date(2026, 12, 10), NOW)  # the due date itself is still on time
    assert visit.mark_overdue(date(2026, 12, 11), NOW)
    assert not visit.mark_overdue(date(2026, 12, 12), NOW)
    assert [type(e) for e in visit.pending_events][-1] is MaintenanceVisitOverdue
    visit.complete("li", "lubricated, brakes tested", NOW)
    with pytest.raises(IllegalTransition):
        visit.complete("li", "again", NOW)
    assert Visit.replay(visit.pending_events).status == "completed"
