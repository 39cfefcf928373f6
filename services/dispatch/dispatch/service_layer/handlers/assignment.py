"""Assignment handlers: a ticket's job opened, reclassified, closed elsewhere; manual (re)assignment
by the office; the queue given another try. (The SLA's escalations and hand-offs: `roles`.)"""

from __future__ import annotations

from dispatch.domain.commands import (
    AssignJob,
    AssignQueuedJobs,
    CloseJob,
    OpenJob,
    ReclassifyJob,
)
from dispatch.domain.errors import InvalidCommand, JobNotFound
from dispatch.domain.job import Job
from dispatch.domain.lifecycle import on_site_at_once
from dispatch.service_layer.assigning import now, try_assign
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork
from shared.messagebus import Handler


async def open_job(command: OpenJob, uow: DispatchUnitOfWork) -> None:
    opened_before, last_served_by = await uow.job_rows.opening(command.ticket_id, command.unit_id)
    if opened_before:
        return  # a replay: the job exists
    job = Job.new(
        ticket_id=command.ticket_id,
        job_id=f"J-{command.ticket_id}",
        region=command.region,
        product_line=command.product_line,
        severity=command.severity,
        on_site_required=on_site_at_once(command.severity, command.on_site_covered),
        customer_id=command.customer_id,
        unit_id=command.unit_id,
        account_engineer_id=command.account_engineer_id,
        opened_at=command.opened_at,
    )
    if command.awaits_consent:  # chargeable work waits for the customer's consent: nobody is sent
        job.hold_for_consent(now())
    else:
        await try_assign(uow, job, on_site=command.on_site_covered, last_served_by=last_served_by)
    uow.jobs.add(job)


async def reclassify_job(command: ReclassifyJob, uow: DispatchUnitOfWork) -> None:
    await uow.job_rows.set_severity(command.ticket_id, command.severity)
    job = await uow.jobs.get(command.ticket_id)
    if job is not None and job.technician_id is None and job.is_open:
        await try_assign(uow, job, on_site=True)


async def close_job(command: CloseJob, uow: DispatchUnitOfWork) -> None:
    """Cancelled, or resolved by the office (not in the field): the job ends, the engineer is freed."""
    job = await uow.jobs.get(command.ticket_id)
    if job is not None and job.is_open:
        job.close(command.reason, now())


async def assign_job(command: AssignJob, uow: DispatchUnitOfWork) -> None:
    profile = await uow.directory.profile(command.technician_id)
    if profile is None or not profile.active:
        raise InvalidCommand("unknown or inactive technician", field="technician_id")
    job = await uow.jobs.get(command.ticket_id)
    if job is None:
        raise JobNotFound(command.ticket_id)
    if job.technician_id is None:
        job.assign(command.technician_id, max(job.level, 1), f"manual: {command.reason}", now())
    else:
        job.reassign(command.technician_id, f"manual: {command.reason}", job.level, now())


async def assign_queued_jobs(command: AssignQueuedJobs, uow: DispatchUnitOfWork) -> int:
    """Assign queued jobs as soon as someone fits; returns how many were assigned."""
    assigned = 0
    for ticket_id in await uow.job_rows.waiting(command.limit):
        job = await uow.jobs.get(ticket_id)
        if job is not None and job.technician_id is None and job.is_open:
            assigned += await try_assign(uow, job, on_site=True, queue=False)
    return assigned


HANDLERS: dict[type, Handler] = {
    OpenJob: open_job,
    ReclassifyJob: reclassify_job,
    CloseJob: close_job,
    AssignJob: assign_job,
    AssignQueuedJobs: assign_queued_jobs,
}
