"""Read-only queries behind dispatch's GET endpoints, on their own connection (no unit of work).

Scopes are applied here, in the query: a technician sees only their own jobs, a regional supervisor
only their region's; a job outside the caller's scope is answered like no job at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import any_, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dispatch.adapters.directory import ROSTER_ID, Directory
from dispatch.adapters.repositories import job_stream
from dispatch.adapters.tables import jobs, rosters, technicians, visits
from dispatch.domain.errors import JobNotFound, NoRoster, TechnicianNotFound
from dispatch.domain.job import Job
from dispatch.service_layer.documents import job_document
from shared.eventstore import EventStore


class DispatchViews:
    def __init__(self, engine: Callable[[], AsyncEngine], store: EventStore, directory: Directory) -> None:
        self._engine = engine
        self._store = store
        self._directory = directory

    async def job(
        self, ticket_id: str, *, technician_id: str | None = None, region: str | None = None
    ) -> dict[str, Any]:
        """The job with its history, if the caller may see it (`technician_id`/`region`: their scope)."""
        async with self._engine().connect() as conn:
            row = await _job_row(conn, ticket_id)
            if row is None:
                raise JobNotFound(ticket_id)
            history = await self._store.load_events(conn, job_stream(ticket_id))
        job = Job.replay(history)
        document = job_document(job, row)
        if technician_id is not None and document["technician_id"] != technician_id:
            raise JobNotFound(ticket_id)
        if region is not None and document["region"] != region:
            raise JobNotFound(ticket_id)
        return document

    async def jobs(
        self,
        *,
        technician_id: str | None = None,
        region: str | None = None,
        queued: bool | None = None,
        status: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        query = select(jobs).order_by(jobs.c.opened_at).limit(limit)
        if region is not None:
            query = query.where(jobs.c.region == region)
        if technician_id:
            query = query.where(jobs.c.technician_id == technician_id)
        if queued is not None:
            query = query.where(jobs.c.queued == queued)
        if status:
            query = query.where(jobs.c.status == status)
        async with self._engine().connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        for row in rows:
            row["opened_at"], row["updated_at"] = row["opened_at"].isoformat(), row["updated_at"].isoformat()
        return rows

    async def technician(self, technician_id: str) -> dict[str, Any]:
        query = select(technicians).where(technicians.c.technician_id == technician_id)
        async with self._engine().connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            raise TechnicianNotFound(technician_id)
        return dict(row)

    async def technicians(
        self,
        *,
        region: str | None = None,
        skill: str | None = None,
        level: int | None = None,
        on_shift_only: bool = False,
    ) -> list[dict[str, Any]]:
        query = select(technicians).order_by(technicians.c.technician_id)
        if region:
            query = query.where(
                (technicians.c.home_region == region) | (literal(region) == any_(technicians.c.regions))
            )
        if skill:
            query = query.where(literal(skill) == any_(technicians.c.skills))
        if level:
            query = query.where(technicians.c.level == level)
        async with self._engine().connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        if on_shift_only:
            on_shift, now = await self._directory.on_shift(), datetime.now(UTC)
            rows = [r for r in rows if r["status"] == "active" and on_shift(r["technician_id"], now)]
        return rows

    async def roster(self) -> dict[str, Any]:
        query = select(rosters.c.document).where(rosters.c.roster_id == ROSTER_ID)
        async with self._engine().connect() as conn:
            document = (await conn.execute(query)).scalar()
        if document is None:
            raise NoRoster()
        return document

    async def visits(self, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(visits, jobs.c.technician_id).join(
            jobs, jobs.c.ticket_id == visits.c.visit_id, isouter=True
        )
        if status:
            query = query.where(visits.c.status == status)
        async with self._engine().connect() as conn:
            rows = (await conn.execute(query.order_by(visits.c.due_on).limit(limit))).mappings().all()
        return [
            {**dict(r), "due_on": r["due_on"].isoformat(), "notify_on": r["notify_on"].isoformat()}
            for r in rows
        ]


async def _job_row(conn: AsyncConnection, ticket_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(jobs).where(jobs.c.ticket_id == ticket_id))).mappings().first()
    return dict(row) if row else None
