"""Preventive maintenance: schedules (every 15 days for elevators, monthly, quarterly, yearly) and
the visits they generate ahead of time, the customer told 7 days before; a visit not done by its due
date is overdue (once)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from dispatch.domain.errors import IllegalTransition, InvalidCommand
from dispatch.domain.events import (
    MaintenanceVisitCompleted,
    MaintenanceVisitOverdue,
    MaintenanceVisitScheduled,
)
from shared.aggregate import Aggregate

NOTICE = timedelta(days=7)


class Every(StrEnum):
    FIFTEEN_DAYS = "15_days"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_MONTHS = {Every.MONTH: 1, Every.QUARTER: 3, Every.YEAR: 12}


def add_months(day: date, months: int) -> date:
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

    def __post_init__(self) -> None:
        if self.unit_id is None and self.contract_id is None:
            raise InvalidCommand("a schedule is for a unit or a contract", field="unit_id")
        if self.until is not None and self.until < self.first_due:
            raise InvalidCommand("until is before first_due", field="until")

    def nth_due(self, n: int) -> date:
        if self.every is Every.FIFTEEN_DAYS:
            return self.first_due + timedelta(days=15 * n)
        return add_months(self.first_due, _MONTHS[self.every] * n)  # from the first date: no drift

    def due_dates(self, start: date, end: date) -> list[date]:
        """Due dates within [start, end] (and within the schedule's life)."""
        dates, n = [], 0
        while (due := self.nth_due(n)) <= end and (self.until is None or due <= self.until):
            if due >= start:
                dates.append(due)
            n += 1
        return dates


def schedule_from_document(document: Mapping[str, Any]) -> Schedule:
    """A schedule from its stored JSON form (dates as ISO strings); problems name the field."""
    try:
        every = Every(document["every"])
    except ValueError:
        raise InvalidCommand("every is one of 15_days, month, quarter, year", field="every") from None
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
    )


def visit_id(schedule_id: str, due_on: date) -> str:
    return f"MV-{schedule_id}-{due_on.isoformat()}"


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
