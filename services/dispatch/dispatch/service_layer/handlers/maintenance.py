"""Preventive maintenance: schedules plan visits a month ahead, each carried out by a job assigned like
a ticket's; completing the visit resolves its job; a visit past its due date is overdue, once."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dispatch.domain.commands import AddSchedule, CompleteVisit, PlanMaintenance
from dispatch.domain.errors import InvalidCommand, JobNotFound
from dispatch.domain.job import Job
from dispatch.domain.maintenance import Schedule, Visit, schedule_from_document, visit_id
from dispatch.service_layer.assigning import now, try_assign
from dispatch.service_layer.documents import job_document
from dispatch.service_layer.handlers.field_work import own_job
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork
from shared.messagebus import Handler

HORIZON = timedelta(days=30)  # visits exist a month ahead: the customer can be told 7 days before


async def add_schedule(command: AddSchedule, uow: DispatchUnitOfWork) -> dict[str, Any]:
    document = {
        "schedule_id": command.schedule_id,
        "every": command.every,
        "first_due": command.first_due.isoformat(),
        "region": command.region,
        "product_line": command.product_line,
        "unit_id": command.unit_id,
        "contract_id": command.contract_id,
        "until": command.until.isoformat() if command.until else None,
    }
    schedule = schedule_from_document(document)  # validates
    if not await uow.schedules.add(command.schedule_id, document):
        raise InvalidCommand("schedule_id already exists", field="schedule_id")
    await plan_visits(uow, schedule, command.today)
    return document


async def plan_maintenance(command: PlanMaintenance, uow: DispatchUnitOfWork) -> None:
    for document in await uow.schedules.all():
        await plan_visits(uow, schedule_from_document(document), command.today)
    for past_due in await uow.visit_rows.past_due(command.today):
        visit = await uow.visits.get(past_due)
        if visit is not None:
            visit.mark_overdue(command.today, now())


async def plan_visits(uow: DispatchUnitOfWork, schedule: Schedule, today: date) -> None:
    """Each visit due within the horizon exists once, with its job assigned (or queued)."""
    for due_on in schedule.due_dates(today, today + HORIZON):
        if await uow.visits.get(visit_id(schedule.schedule_id, due_on)) is not None:
            continue  # planned before (or by another replica)
        visit = Visit.schedule(schedule, due_on, now())
        uow.visits.add(visit)
        job = Job.new(
            ticket_id=visit.visit_id,
            job_id=f"J-{visit.visit_id}",
            region=schedule.region,
            product_line=schedule.product_line,
            severity="maintenance",
            on_site_required=True,
            unit_id=schedule.unit_id,
            opened_at=now(),
        )
        await try_assign(uow, job, on_site=True)
        uow.jobs.add(job)


async def complete_visit(command: CompleteVisit, uow: DispatchUnitOfWork) -> dict[str, Any]:
    """The visit's report resolves its job (signed off like a repair) and completes the visit."""
    job = await own_job(uow, command.visit_id, command.technician_id)
    visit = await uow.visits.get(command.visit_id)
    if visit is None:
        raise JobNotFound(command.visit_id)
    at = now()
    job.resolve(
        command.technician_id,
        command.occurred_at,
        cause="preventive maintenance",
        fix=command.report,
        minutes_spent=command.minutes_spent,
        signed_by=command.signed_by,
        now=at,
    )
    visit.complete(command.technician_id, command.report, at)
    return job_document(job, await uow.job_rows.get(command.visit_id))


HANDLERS: dict[type, Handler] = {
    AddSchedule: add_schedule,
    PlanMaintenance: plan_maintenance,
    CompleteVisit: complete_visit,
}
