"""Preventive maintenance schedules and visits (pure)."""

from datetime import UTC, date, datetime

import pytest
from dispatch.domain.errors import IllegalTransition, InvalidCommand
from dispatch.domain.events import MaintenanceVisitOverdue, MaintenanceVisitScheduled
from dispatch.domain.maintenance import Every, Schedule, Visit

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def schedule(every, first=date(2026, 1, 31), **kw):
    return Schedule(schedule_id="S1", every=every, first_due=first, region="SH", unit_id="U-1", **kw)


def test_elevators_every_15_days():
    assert schedule(Every.FIFTEEN_DAYS, date(2026, 12, 1)).due_dates(
        date(2026, 12, 1), date(2026, 12, 31)
    ) == [date(2026, 12, 1), date(2026, 12, 16), date(2026, 12, 31)]


def test_monthly_from_the_first_date_without_drift_at_month_ends():
    assert schedule(Every.MONTH).due_dates(date(2026, 1, 1), date(2026, 4, 30)) == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
    ]


def test_quarterly_and_yearly_and_until():
    assert schedule(Every.QUARTER).due_dates(date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 1, 31),
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2026, 10, 31),
    ]
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


def test_a_schedule_needs_a_unit_or_contract():
    with pytest.raises(InvalidCommand):
        Schedule(schedule_id="S", every=Every.MONTH, first_due=date(2026, 1, 1), region="SH")


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
