"""The technician app's submissions: each checks the job is theirs, records the step as it happened
on the device, and answers with the job; a retried submission (same client id) gets its first answer
and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from dispatch.domain.commands import (
    AcknowledgeAssignment,
    ArriveOnSite,
    DepartForSite,
    EndRemoteSession,
    FieldCommand,
    RecordDiagnosis,
    RequestParts,
    RequireOnSiteVisit,
    ResolveJob,
    StartRemoteSession,
)
from dispatch.domain.errors import JobNotFound
from dispatch.domain.job import Job
from dispatch.service_layer.assigning import now
from dispatch.service_layer.documents import job_document
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork
from shared.messagebus import Handler

REPEAT_WINDOW = timedelta(days=30)
Step = Callable[[Job, datetime], None]


async def own_job(uow: DispatchUnitOfWork, ticket_id: str, technician_id: str) -> Job:
    """The technician's job: theirs now, or theirs once (a late step about their holding, which the
    job checks against the time it happened)."""
    job = await uow.jobs.get(ticket_id)
    if job is None or not job.held_by(technician_id):
        raise JobNotFound(ticket_id)  # someone else's job looks like no job at all
    return job


async def submit(command: FieldCommand, uow: DispatchUnitOfWork, step: Step) -> dict[str, Any]:
    """Run one field step on the technician's own job; the answer is the job afterwards."""
    if command.client_id is not None:
        stored = await uow.field_claims.claim(command.technician_id, command.client_id, command)
        if stored is not None:
            return stored
    job = await own_job(uow, command.ticket_id, command.technician_id)
    row = await uow.job_rows.get(command.ticket_id)
    was_open = job.is_open
    step(job, now())
    if was_open and job.resolution is not None:
        await flag_repeat_repair(uow, job, (row or {}).get("unit_id"))
    document = job_document(job, row)
    if command.client_id is not None:
        await uow.field_claims.remember(command.technician_id, command.client_id, document)
    return document


async def flag_repeat_repair(uow: DispatchUnitOfWork, job: Job, row_unit_id: str | None) -> None:
    """The same unit back with the same fault within REPEAT_WINDOW of another repair."""
    resolution = job.resolution
    assert resolution is not None
    unit_id = resolution.unit_id or row_unit_id
    if unit_id is None or not resolution.fault_code:
        return
    previous = await uow.repairs.previous(
        ticket_id=job.ticket_id,
        unit_id=unit_id,
        fault_code=resolution.fault_code,
        since=resolution.occurred_at - REPEAT_WINDOW,
    )
    if previous is not None:
        job.flag_repeat_repair(unit_id, resolution.fault_code, previous, now())


async def acknowledge(command: AcknowledgeAssignment, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command, uow, lambda job, at: job.acknowledge(command.technician_id, command.occurred_at, now=at)
    )


async def start_remote_session(command: StartRemoteSession, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command, uow, lambda job, at: job.start_remote(command.technician_id, command.occurred_at, now=at)
    )


async def end_remote_session(command: EndRemoteSession, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command,
        uow,
        lambda job, at: job.end_remote(command.technician_id, command.occurred_at, command.resolved, now=at),
    )


async def depart(command: DepartForSite, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command, uow, lambda job, at: job.depart(command.technician_id, command.occurred_at, now=at)
    )


async def arrive(command: ArriveOnSite, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command, uow, lambda job, at: job.arrive(command.technician_id, command.occurred_at, now=at)
    )


async def record_diagnosis(command: RecordDiagnosis, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command,
        uow,
        lambda job, at: job.diagnose(
            command.technician_id, command.occurred_at, command.diagnosis, command.fault_code, now=at
        ),
    )


async def request_parts(command: RequestParts, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command,
        uow,
        lambda job, at: job.request_parts(command.technician_id, command.occurred_at, command.parts, now=at),
    )


async def resolve(command: ResolveJob, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command,
        uow,
        lambda job, at: job.resolve(
            command.technician_id,
            command.occurred_at,
            cause=command.cause,
            fix=command.fix,
            fault_code=command.fault_code,
            parts_used=command.parts_used,
            minutes_spent=command.minutes_spent,
            signed_by=command.signed_by,
            satisfaction=command.satisfaction,
            now=at,
        ),
    )


async def require_on_site(command: RequireOnSiteVisit, uow: DispatchUnitOfWork) -> dict[str, Any]:
    return await submit(
        command,
        uow,
        lambda job, at: job.require_on_site(
            command.technician_id, command.occurred_at, command.reason, now=at
        ),
    )


HANDLERS: dict[type, Handler] = {
    AcknowledgeAssignment: acknowledge,
    StartRemoteSession: start_remote_session,
    EndRemoteSession: end_remote_session,
    DepartForSite: depart,
    ArriveOnSite: arrive,
    RecordDiagnosis: record_diagnosis,
    RequestParts: request_parts,
    ResolveJob: resolve,
    RequireOnSiteVisit: require_on_site,
}
