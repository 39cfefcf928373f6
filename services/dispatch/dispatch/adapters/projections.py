"""Read tables kept current from the events a unit of work appends, in its transaction.

- jobs: one row per job (status, technician, level, queued, version) and the technicians' `load`
  (open breakdown jobs each holds: a maintenance visit's job never counts, so a visit never blocks a
  breakdown's assignment), moved by assignment, reassignment, resolution and closing: one statement
  per job. A job's status follows the lifecycle's ranking rules, so the row is written from the job
  as the unit of work holds it after its new events (`jobs_projection(loaded)`).
- repairs: who resolved which unit when (repeat faults, "last served by").
- technicians: the profile columns the directory and `GET /technicians` read.
- maintenance_visits: one row per visit and its status.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dispatch.adapters.tables import jobs, repairs, technicians, visits
from dispatch.domain.events import (
    CaseOwnerAssigned,
    CaseOwnerUnstaffed,
    JobClosed,
    MaintenanceVisitCompleted,
    MaintenanceVisitOverdue,
    MaintenanceVisitScheduled,
    TechnicianAssigned,
    TechnicianRegistered,
    TechnicianStatusChanged,
    TechnicianUpdated,
    TicketReassigned,
    WorkResolved,
)
from dispatch.domain.job import Job
from dispatch.domain.lifecycle import STEP_NAMES
from dispatch.domain.maintenance import SEVERITY as MAINTENANCE
from shared.envelope import Envelope
from shared.unit_of_work import Projection

_JOB_EVENTS = frozenset({*STEP_NAMES, JobClosed, CaseOwnerAssigned, CaseOwnerUnstaffed})

# The job's row (created by its first event) and its engineers' loads, in one round trip.
_SAVE_JOB = text(
    """
    WITH saved AS (
        INSERT INTO jobs (ticket_id, job_id, status, technician_id, level, severity, region, product_line,
                          on_site_required, customer_id, unit_id, account_engineer_id, queued, opened_at,
                          version)
        VALUES (:ticket_id, :job_id, :status, :technician_id, :level, :severity, :region, :product_line,
                :on_site_required, :customer_id, :unit_id, :account_engineer_id, :queued, :opened_at,
                :version)
        ON CONFLICT (ticket_id) DO UPDATE SET
            status = EXCLUDED.status, technician_id = EXCLUDED.technician_id, level = EXCLUDED.level,
            queued = EXCLUDED.queued, version = EXCLUDED.version, updated_at = now()
        RETURNING 1
    )
    UPDATE technicians AS t SET load = t.load + d.delta
    FROM unnest(CAST(:ids AS text[]), CAST(:deltas AS int[])) AS d(technician_id, delta)
    WHERE t.technician_id = d.technician_id
    """
)


def load_changes(events: Sequence[Any]) -> Counter[str]:
    """How many open jobs each technician gained or lost by these events."""
    delta: Counter[str] = Counter()
    for event in events:
        match event:
            case TechnicianAssigned() | TicketReassigned():
                delta[event.technician_id] += 1
                if event.previous_technician_id:
                    delta[event.previous_technician_id] -= 1
            case WorkResolved():
                delta[event.technician_id] -= 1
            case JobClosed() if event.technician_id:
                delta[event.technician_id] -= 1
    return delta


def job_load_changes(job: Job, events: Sequence[Any]) -> Counter[str]:
    """`load_changes` of one job's events; none for a maintenance visit's job (breakdowns first)."""
    if job.severity == MAINTENANCE:
        return Counter()
    delta = load_changes(events)
    for event in events:  # a former assignee's late resolution: their load was freed when the job moved
        if isinstance(event, WorkResolved) and event.technician_id != job.technician_id:
            delta[event.technician_id] += 1
    return delta


def jobs_projection(loaded: Callable[[str], Job | None]) -> Projection:
    """The jobs rows and loads, from the jobs as `loaded(ticket_id)` gives them after their events."""

    async def project(conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]) -> None:
        by_job: dict[str, list[Any]] = {}
        for event in events:
            if type(event) in _JOB_EVENTS:
                by_job.setdefault(event.ticket_id, []).append(event)
        for ticket_id, job_events in by_job.items():
            job = loaded(ticket_id)
            if job is None:
                continue
            changes = {t: d for t, d in job_load_changes(job, job_events).items() if d}
            await conn.execute(
                _SAVE_JOB, {**_row(job), "ids": list(changes), "deltas": list(changes.values())}
            )
            for event in job_events:
                if isinstance(event, WorkResolved):
                    await _record_repair(conn, event)

    return project


def _row(job: Job) -> dict[str, Any]:
    return {
        "ticket_id": job.ticket_id,
        "job_id": job.job_id,
        "status": str(job.status),
        "technician_id": job.technician_id,
        "level": job.level,
        "severity": job.severity,
        "region": job.region,
        "product_line": job.product_line,
        "on_site_required": bool(job.on_site_required),
        "customer_id": job.customer_id,
        "unit_id": job.unit_id,
        "account_engineer_id": job.account_engineer_id,
        # Held for the customer's consent: not in the queue (nobody may be sent).
        "queued": job.technician_id is None and job.is_open and not job.awaiting_consent,
        "opened_at": job.opened_at or job.last_event_at,
        "version": job.version,
    }


async def _record_repair(conn: AsyncConnection, event: WorkResolved) -> None:
    """The unit is the event's; for a job opened before events carried it, the row's."""
    unit_id = event.unit_id
    if unit_id is None:
        unit_id = (
            await conn.execute(select(jobs.c.unit_id).where(jobs.c.ticket_id == event.ticket_id))
        ).scalar()
    if unit_id is None:
        return
    await conn.execute(
        insert(repairs)
        .values(
            ticket_id=event.ticket_id,
            unit_id=unit_id,
            fault_code=event.fault_code,
            technician_id=event.technician_id,
            resolved_at=event.occurred_at,
        )
        .on_conflict_do_nothing()
    )


async def project_technicians(
    conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]
) -> None:
    for event in events:
        match event:
            case TechnicianRegistered():
                await conn.execute(
                    insert(technicians).values(
                        technician_id=event.technician_id,
                        name=event.name,
                        **_profile(event),
                        status="active",
                        version=1,
                    )
                )
            case TechnicianUpdated():
                await _technician_changed(conn, event.technician_id, **_profile(event))
            case TechnicianStatusChanged():
                await _technician_changed(conn, event.technician_id, status=event.status)


def _profile(event: TechnicianRegistered | TechnicianUpdated) -> dict[str, Any]:
    return {
        "level": event.level,
        "skills": sorted(event.skills),
        "home_region": event.home_region,
        "regions": sorted(event.regions),
        "capacity": event.capacity,
    }


async def _technician_changed(conn: AsyncConnection, technician_id: str, **values: Any) -> None:
    await conn.execute(
        update(technicians)
        .where(technicians.c.technician_id == technician_id)
        .values(**values, version=technicians.c.version + 1)
    )


async def project_visits(conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]) -> None:
    for event in events:
        match event:
            case MaintenanceVisitScheduled():
                await conn.execute(
                    insert(visits)
                    .values(
                        visit_id=event.visit_id,
                        schedule_id=event.schedule_id,
                        due_on=event.due_on,
                        notify_on=event.notify_on,
                        status="scheduled",
                        region=event.region or "",
                        unit_id=event.unit_id,
                        contract_id=event.contract_id,
                    )
                    .on_conflict_do_nothing()
                )
            case MaintenanceVisitOverdue():
                await _visit_status(conn, event.visit_id, "overdue")
            case MaintenanceVisitCompleted():
                await _visit_status(conn, event.visit_id, "completed", completed_on=event.occurred_at.date())


async def _visit_status(conn: AsyncConnection, visit_id: str, status: str, **values: Any) -> None:
    await conn.execute(update(visits).where(visits.c.visit_id == visit_id).values(status=status, **values))
