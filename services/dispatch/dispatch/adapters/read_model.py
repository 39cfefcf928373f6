"""What handlers ask of dispatch's read tables (jobs, technicians' loads, repairs, visits), on the unit
of work's connection: its own transaction sees its own writes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from dispatch.adapters.directory import Directory
from dispatch.adapters.tables import jobs, repairs, visits
from dispatch.domain.assignment import TechnicianProfile
from dispatch.domain.lifecycle import TERMINAL
from dispatch.domain.maintenance import SEVERITY as MAINTENANCE
from dispatch.domain.maintenance import VisitHistory
from shared.unit_of_work import SqlUnitOfWork


class JobRows:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def get(self, ticket_id: str) -> dict[str, Any] | None:
        row = (
            (await self._uow.conn.execute(select(jobs).where(jobs.c.ticket_id == ticket_id)))
            .mappings()
            .first()
        )
        return dict(row) if row else None

    async def opening(self, ticket_id: str, unit_id: str | None) -> tuple[bool, str | None]:
        """Whether the ticket's job exists already, and who last repaired its unit: one round trip on
        the hot path (TicketOpened -> assigned). The row commits with the job's first event."""
        exists = select(jobs.c.ticket_id).where(jobs.c.ticket_id == ticket_id).exists()
        query = select(exists, _last_served(unit_id).scalar_subquery())
        known, last_served_by = (await self._uow.conn.execute(query)).one()
        return bool(known), last_served_by

    async def set_severity(self, ticket_id: str, severity: str) -> None:
        """Classification is not a job event: only the read table follows the ticket's severity."""
        await self._uow.conn.execute(
            update(jobs).where(jobs.c.ticket_id == ticket_id).values(severity=severity)
        )

    async def waiting(self, limit: int) -> list[str]:
        """The oldest queued breakdown jobs no other replica is draining now (their rows stay locked);
        queued maintenance visits are the planner's (staffed from their day's roster)."""
        query = (
            select(jobs.c.ticket_id)
            .where(jobs.c.queued, jobs.c.severity.is_distinct_from(MAINTENANCE))
            .order_by(jobs.c.opened_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self._uow.conn.execute(query)).scalars())

    async def loads(self, among: list[TechnicianProfile] | None = None) -> dict[str, int]:
        """Open breakdown jobs per technician (visits never count: breakdowns come first)."""
        return await Directory.loads(self._uow.conn, among)

    async def visit_loads(self) -> dict[str, int]:
        """Open maintenance-visit jobs per technician (what a visit adds to the breakdown load)."""
        query = (
            select(jobs.c.technician_id, func.count())
            .where(
                jobs.c.severity == MAINTENANCE,
                jobs.c.technician_id.is_not(None),
                jobs.c.status.not_in([str(s) for s in TERMINAL]),
            )
            .group_by(jobs.c.technician_id)
        )
        return {tid: n for tid, n in await self._uow.conn.execute(query)}


class Repairs:
    """Who repaired which unit when: the last one who served a unit, repeat faults."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def last_served_by(self, unit_id: str | None) -> str | None:
        if unit_id is None:
            return None
        return (await self._uow.conn.execute(_last_served(unit_id))).scalar()

    async def previous(self, *, ticket_id: str, unit_id: str, fault_code: str, since: datetime) -> str | None:
        """The latest other ticket of the same unit with the same fault since ``since``."""
        query = (
            select(repairs.c.ticket_id)
            .where(
                repairs.c.unit_id == unit_id,
                repairs.c.fault_code == fault_code,
                repairs.c.ticket_id != ticket_id,
                repairs.c.resolved_at >= since,
            )
            .order_by(repairs.c.resolved_at.desc())
            .limit(1)
        )
        return (await self._uow.conn.execute(query)).scalar()


def _last_served(unit_id: str | None) -> Select[Any]:
    return (
        select(repairs.c.technician_id)
        .where(repairs.c.unit_id == unit_id)
        .order_by(repairs.c.resolved_at.desc())
        .limit(1)
    )


class VisitRows:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def past_due(self, today: date) -> list[str]:
        """Visits still scheduled whose due date has passed."""
        query = select(visits.c.visit_id).where(visits.c.status == "scheduled", visits.c.due_on < today)
        return list((await self._uow.conn.execute(query.order_by(visits.c.due_on))).scalars())

    async def to_staff(self, today: date) -> list[str]:
        """Visits due today or before, not done, whose job is not opened yet or still queued."""
        query = (
            select(visits.c.visit_id)
            .join(jobs, jobs.c.ticket_id == visits.c.visit_id, isouter=True)
            .where(
                visits.c.status != "completed",
                visits.c.due_on <= today,
                or_(jobs.c.ticket_id.is_(None), jobs.c.queued),
            )
            .order_by(visits.c.due_on, visits.c.visit_id)
        )
        return list((await self._uow.conn.execute(query)).scalars())

    async def history(self, schedule_id: str) -> VisitHistory:
        """A schedule's last due date, last completion and its visits not done yet."""
        return (await self.histories([schedule_id])).get(schedule_id, VisitHistory())

    async def histories(self, schedule_ids: list[str]) -> dict[str, VisitHistory]:
        """`history` of many schedules in one round trip (the planner's minute step)."""
        not_done = visits.c.status != "completed"
        query = (
            select(
                visits.c.schedule_id,
                func.max(visits.c.due_on),
                func.max(visits.c.completed_on),
                func.array_agg(visits.c.visit_id).filter(not_done),
            )
            .where(visits.c.schedule_id.in_(schedule_ids))
            .group_by(visits.c.schedule_id)
        )
        return {
            schedule_id: VisitHistory(last_due=due, last_completed=completed, open=frozenset(open_ or ()))
            for schedule_id, due, completed, open_ in await self._uow.conn.execute(query)
        }
