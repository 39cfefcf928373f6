"""Preventive maintenance: schedules and the visits they plan, the customer told 7 days before.

Two kinds of cadence (SPEC 2.5):
- calendar cadences (monthly, quarterly, half-yearly, yearly) fall on dates counted from the first due
  date, so they never drift (monthly from 31 January: 28 February, 31 March, 30 April ...);
- "at least every N days since the last completed visit" (elevators: 15 days): the next visit is due N
  days after the last one was done, so there is one outstanding visit at a time and an early visit
  moves the next one earlier. `15_days` is the elevators' shorthand for it.

A planned visit takes no technician capacity: its job is opened and staffed only on its day (see the
maintenance handlers). A visit not done by its due date is overdue (once).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.domain.errors import IllegalTransition, InvalidCommand
from dispatch.domain.events import (
    MaintenanceVisitCompleted,
    MaintenanceVisitOverdue,
    MaintenanceVisitScheduled,
)
from shared.aggregate import Aggregate

NOTICE = timedelta(days=7)
ELEVATOR_DAYS = 15
MAX_INTERVAL_DAYS = 366
SEVERITY = "maintenance"  # the severity a visit's job carries: never counted as a breakdown's load


class Every(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"
    DAYS_SINCE_LAST = "days_since_last"  # at least every `interval_days` since the last completed visit
    FIFTEEN_DAYS = "15_days"  # elevators: at least every 15 days since the last completed visit


_MONTHS = {Every.MONTH: 1, Every.QUARTER: 3, Every.HALF_YEAR: 6, Every.YEAR: 12}
SINCE_LAST = frozenset({Every.DAYS_SINCE_LAST, Every.FIFTEEN_DAYS})


def add_months(day: date, months: int) -> date:
    """`months` later, on the same day of the month or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, kw_only=True)
class Schedule:
    schedule_id: str
    every: Every
    first_due: date
    region: str
    product_line: str | None = None
    unit_id: str | None = None
    contract_id: str | None = None
    until: date | None = None
    interval_days: int | None = None  # for DAYS_SINCE_LAST (15 for FIFTEEN_DAYS)

    def __post_init__(self) -> None:
        if self.unit_id is None and self.contract_id is None:
            raise InvalidCommand("a schedule is for a unit or a contract", field="unit_id")
        if self.until is not None and self.until < self.first_due:
            raise InvalidCommand("until is before first_due", field="until")
        if self.every is Every.DAYS_SINCE_LAST:
            days = self.interval_days
            if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_INTERVAL_DAYS:
                raise InvalidCommand(
                    f"interval_days (1..{MAX_INTERVAL_DAYS}) is required for days_since_last",
                    field="interval_days",
                )
        elif self.interval_days is not None and not (
            self.every is Every.FIFTEEN_DAYS and self.interval_days == ELEVATOR_DAYS
        ):
            raise InvalidCommand("interval_days applies to days_since_last only", field="interval_days")

    @property
    def since_last(self) -> bool:
        return self.every in SINCE_LAST

    @property
    def days(self) -> int:
        """The most days between a completed visit and the next (since-last cadences)."""
        return ELEVATOR_DAYS if self.every is Every.FIFTEEN_DAYS else int(self.interval_days or 0)

    def _within_life(self, due: date) -> bool:
        return self.until is None or due <= self.until

    def nth_due(self, n: int) -> date:
        """The n-th calendar due date, from the first date (no drift at month ends)."""
        if self.since_last:
            raise ValueError("a since-last cadence has no fixed dates")
        return add_months(self.first_due, _MONTHS[self.every] * n)

    def due_dates(self, start: date, end: date) -> list[date]:
        """Calendar due dates within [start, end] (and within the schedule's life)."""
        dates, n = [], 0
        while (due := self.nth_due(n)) <= end and self._within_life(due):
            if due >= start:
                dates.append(due)
            n += 1
        return dates

    def next_since_last(
        self, *, last_completed: date | None, last_due: date | None, today: date
    ) -> date | None:
        """The one next visit of a since-last cadence: N days after the last COMPLETED visit (never on
        or before the previous visit's due date, whose id it would take); before any visit, the first
        due date, or today when that has passed. None once past the schedule's life."""
        if last_completed is None:
            due = max(self.first_due, today) if last_due is None else last_due + timedelta(days=1)
        else:
            due = last_completed + timedelta(days=self.days)
            if last_due is not None and due <= last_due:
                due = last_due + timedelta(days=1)
        return due if self._within_life(due) else None


@dataclass(frozen=True, kw_only=True)
class VisitHistory:
    """What planning a since-last cadence needs of a schedule's visits so far."""

    last_due: date | None = None
    last_completed: date | None = None
    open: frozenset[str] = frozenset()  # visits not done yet


def schedule_from_document(document: Mapping[str, Any]) -> Schedule:
    """A schedule from its stored JSON form (dates as ISO strings); problems name the field."""
    try:
        every = Every(document["every"])
    except ValueError:
        kinds = ", ".join(e.value for e in Every)
        raise InvalidCommand(f"every is one of {kinds}", field="every") from None
    until = document.get("until")
    return Schedule(
        schedule_id=document["schedule_id"],
        every=every,
        first_due=date.fromisoformat(document["first_due"]),
        region=document["region"],
        product_line=document.get("product_line"),
        unit_id=document.get("unit_id"),
        contract_id=document.get("contract_id"),
        until=date.fromisoformat(until) if until else None,
        interval_days=document.get("interval_days"),
    )


def visit_id(schedule_id: str, due_on: date) -> str:
    return f"MV-{schedule_id}-{due_on.isoformat()}"


def on_shift_that_day(
    on_shift: Callable[[str, datetime], bool],
    day: date,
    timezone: str,
    step: timedelta = timedelta(minutes=15),
) -> Callable[[str], bool]:
    """Whether a technician is on the roster at any time of `day` (in the roster's timezone): a visit
    is staffed from its day's roster, whatever the hour the planner runs."""
    tz = ZoneInfo(timezone)
    start = datetime.combine(day, time(0), tzinfo=tz)
    instants = [start + step * i for i in range(int(timedelta(days=1) / step))]
    return lambda technician_id: any(on_shift(technician_id, at) for at in instants)


class Visit(Aggregate):
    """One planned visit (its repository names the stream); completed by the job that carries it out."""

    def __init__(self) -> None:
        super().__init__()
        self.visit_id = ""
        self.schedule_id = ""
        self.due_on: date | None = None
        self.status = "scheduled"
        self.technician_id: str | None = None
        self.report: str | None = None

    @classmethod
    def schedule(cls, schedule: Schedule, due_on: date, now: datetime) -> Visit:
        visit = cls()
        vid = visit_id(schedule.schedule_id, due_on)
        visit._record(
            MaintenanceVisitScheduled(
                ticket_id=vid,
                visit_id=vid,
                schedule_id=schedule.schedule_id,
                unit_id=schedule.unit_id,
                contract_id=schedule.contract_id,
                due_on=due_on,
                notify_on=due_on - NOTICE,
                occurred_at=now,
                region=schedule.region,
            )
        )
        return visit

    def mark_overdue(self, today: date, now: datetime) -> bool:
        """True when this call made it overdue (it happens once)."""
        assert self.due_on is not None
        if self.status != "scheduled" or today <= self.due_on:
            return False
        self._record(
            MaintenanceVisitOverdue(
                ticket_id=self.visit_id, visit_id=self.visit_id, due_on=self.due_on, occurred_at=now
            )
        )
        return True

    def complete(self, technician_id: str, report: str, now: datetime) -> None:
        if self.status == "completed":
            raise IllegalTransition("complete", "completed")
        if not report.strip():
            raise InvalidCommand("a visit report is required", field="report")
        self._record(
            MaintenanceVisitCompleted(
                ticket_id=self.visit_id,
                visit_id=self.visit_id,
                technician_id=technician_id,
                report=report,
                occurred_at=now,
            )
        )

    def _apply(self, event: Any) -> None:
        match event:
            case MaintenanceVisitScheduled():
                self.visit_id, self.schedule_id, self.due_on = event.visit_id, event.schedule_id, event.due_on
            case MaintenanceVisitOverdue():
                self.status = "overdue"
            case MaintenanceVisitCompleted():
                self.status, self.technician_id, self.report = "completed", event.technician_id, event.report
