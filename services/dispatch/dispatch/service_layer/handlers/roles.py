"""The SLA monitor's signals on a ticket's two roles: the tier hand-off names a case owner; an
escalation reassigns the field job only when the assignee missed a promise of theirs (response or
on-site arrival), otherwise it names the accountable level's case owner (SPEC 2.4, 2.5).

Every choice of person is on shift, has the skill and covers the region (`escalation_target`), and its
event says why and by which rules; when nobody fits, the job records it (the dispatcher's alert).
"""

from __future__ import annotations

from datetime import datetime

from dispatch.domain.assignment import Decision, escalation_target
from dispatch.domain.commands import EscalateJob, HandOffCase
from dispatch.domain.job import Job
from dispatch.domain.tiers import moves_field_job, rules_of
from dispatch.service_layer.assigning import DECISIONS, now, on_shift_now
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork
from shared.messagebus import Handler


class JobNotOpenedYet(Exception):
    """The ticket's job does not exist yet: the SLA topic can overtake the tickets topic (seed 003 hands
    a P1 off at second 0). Raised before anything is written; the consumer parks the signal and applies
    it when the ticket's opening arrives (shared.consumer.parking), so it is never dropped."""

    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"no job yet for ticket {ticket_id}")
        self.ticket_id = ticket_id


async def _job(uow: DispatchUnitOfWork, ticket_id: str, occurred_at: datetime | None) -> Job | None:
    job = await uow.jobs.get(ticket_id)
    if job is None and occurred_at is not None:
        raise JobNotOpenedYet(ticket_id)
    return job


async def _choose(
    uow: DispatchUnitOfWork, job: Job, level: int, region: str | None, exclude: frozenset[str]
) -> Decision:
    """Someone of ``level`` (or up the ladder) on shift, with the job's skill, covering its region."""
    return escalation_target(
        level,
        job.region or region,
        await uow.directory.profiles(),
        load=await uow.job_rows.loads(),
        on_shift=on_shift_now(await uow.directory.on_shift()),
        exclude=exclude,
        product_line=job.product_line,
    )


async def name_case_owner(
    uow: DispatchUnitOfWork, job: Job, level: int, why: str, region: str | None
) -> None:
    """The case owner at ``level``, or the alert that nobody fits; the field job stays as it is."""
    if not job.needs_case_owner(level):
        return  # a copy, or overtaken by a higher level already accountable
    # Never the field assignee (the case goes to another tier) nor the owner already in place.
    exclude = frozenset(t for t in (job.technician_id, job.case_owner_id) if t)
    decision = await _choose(uow, job, level, region, exclude)
    if decision.technician_id is None:
        job.case_owner_unstaffed(
            level,
            f"{why}: nobody of L{level}+ on shift with skill {job.product_line or 'any'} "
            f"covering {job.region or region or 'any region'}",
            now(),
        )
        DECISIONS.labels("case_owner_unstaffed").inc()
        return
    rules = rules_of(decision, level=level, region=job.region or region, product_line=job.product_line)
    job.assign_case_owner(decision.technician_id, level, why, rules, now())
    DECISIONS.labels("case_owner").inc()


async def hand_off_case(command: HandOffCase, uow: DispatchUnitOfWork) -> None:
    """The tier hand-off: a named person of the next tier owns the case; the engineer keeps the job."""
    job = await _job(uow, command.ticket_id, command.occurred_at)
    if job is None or not job.is_open:
        return  # the job ended first: nothing left to hand off
    why = f"handoff: L{command.from_level} -> L{command.to_level} ({command.reason})"
    await name_case_owner(uow, job, command.to_level, why, None)


async def escalate_job(command: EscalateJob, uow: DispatchUnitOfWork) -> None:
    """Supervisor reassignment when the assignee missed their own promise; otherwise the accountable
    level is named (a case owner), and the field job stays. Each applies once per level."""
    job = await _job(uow, command.ticket_id, command.occurred_at)
    if job is None or not job.is_open:
        return
    if not moves_field_job(command.reason, command.reassign_field_job):
        why = f"escalation: L{command.level} ({command.reason})"
        await name_case_owner(uow, job, command.level, why, command.region)
        return
    if command.level <= job.level:
        return  # a copy: the field job is at that level already
    if job.awaiting_consent:
        return  # nobody is sent before the customer's consent to the quote (SPEC 2.3)
    region = job.region or command.region
    exclude = frozenset({job.technician_id}) if job.technician_id else frozenset()
    decision = await _choose(uow, job, command.level, region, exclude)
    if decision.technician_id is None:
        job.unstaffed(
            f"escalation to L{command.level} ({command.reason}): nobody on shift with skill "
            f"{job.product_line or 'any'} covering {region or 'any region'}",
            now(),
        )
        DECISIONS.labels("escalation_unstaffed").inc()
        return
    rules = rules_of(decision, level=command.level, region=region, product_line=job.product_line)
    if job.technician_id is None:
        job.assign(decision.technician_id, command.level, f"escalation: {rules}", now())
    else:
        job.escalate_to(decision.technician_id, command.level, now(), cause=command.reason, rules=rules)
    DECISIONS.labels("escalated").inc()


HANDLERS: dict[type, Handler] = {
    HandOffCase: hand_off_case,
    EscalateJob: escalate_job,
}
