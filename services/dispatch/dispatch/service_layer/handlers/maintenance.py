"""Preventive maintenance: schedules plan visits ahead (the customer is told 7 days before), but a
planned visit holds no technician capacity: its job is opened only on its day and staffed from that
day's roster; if nobody fits, the job is queued (the dispatcher is alerted by `AssignmentQueued`) and
the planner tries again. A visit's job never counts in the load breakdown tickets are assigned by,
so breakdowns always come before visits. Completing a visit resolves its job and, for a since-last
cadence, plans the next one from the completion date; a visit past its due date is overdue, once."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

from dispatch.domain.assignment import JobNeed, choose
from dispatch.domain.commands import AddSchedule, CompleteVisit, PlanMaintenance
from dispatch.domain.errors import InvalidCommand, JobNotFound
from dispatch.domain.job import Job
from dispatch.domain.maintenance import (
    SEVERITY,
    Schedule,
    Visit,
    VisitHistory,
    schedule_from_document,
    visit_id,
)
from dispatch.service_layer.assigning import DECISIONS, now
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
        "interval_days": command.interval_days,
    }
    schedule = schedule_from_document(document)  # validates
    if not await uow.schedules.add(command.schedule_id, document):
        raise InvalidCommand("schedule_id already exists", field="schedule_id")
    await plan_visits(uow, schedule, command.today)
    return document


async def plan_maintenance(command: PlanMaintenance, uow: DispatchUnitOfWork) -> None:
    """The planner's step: visits of the coming month exist; past-due ones are overdue; visits due
    today (or earlier and still unstaffed) get their job from today's roster."""
    schedules = {s.schedule_id: s for s in map(schedule_from_document, await uow.schedules.all())}
    since_last = [s.schedule_id for s in schedules.values() if s.since_last]
    histories = await uow.visit_rows.histories(since_last) if since_last else {}
    staffed: Counter[str] = Counter()  # this step's assignments: the read tables see them at commit
    for schedule in schedules.values():
        history = histories.get(schedule.schedule_id, VisitHistory())
        await plan_visits(uow, schedule, command.today, history, staffed)
    for past_due in await uow.visit_rows.past_due(command.today):
        visit = await uow.visits.get(past_due)
        if visit is not None:
            visit.mark_overdue(command.today, now())
    for due in await uow.visit_rows.to_staff(command.today):
        visit = await uow.visits.get(due)
        if visit is not None and visit.schedule_id in schedules:
            await staff_visit(uow, schedules[visit.schedule_id], due, command.today, staffed)


async def plan_visits(
    uow: DispatchUnitOfWork,
    schedule: Schedule,
    today: date,
    history: VisitHistory | None = None,
    staffed: Counter[str] | None = None,
) -> None:
    """Each visit due within the horizon exists once; one due today is staffed at once. `history`:
    the schedule's visits so far, when the caller has it already (since-last cadences); `staffed`:
    visits assigned earlier in the same step (see `staff_visit`)."""
    if schedule.since_last:
        if history is None:
            history = await uow.visit_rows.history(schedule.schedule_id)
        if history.open:
            return  # one outstanding visit at a time: the next is due from its completion
        due = schedule.next_since_last(
            last_completed=history.last_completed, last_due=history.last_due, today=today
        )
        dates = [due] if due is not None and due <= today + HORIZON else []
    else:
        dates = schedule.due_dates(today, today + HORIZON)
    for due_on in dates:
        await _plan(uow, schedule, due_on, today, staffed)


async def _plan(
    uow: DispatchUnitOfWork, schedule: Schedule, due_on: date, today: date, staffed: Counter[str] | None
) -> None:
    vid = visit_id(schedule.schedule_id, due_on)
    if await uow.visits.get(vid) is not None:
        return  # planned before (or by another replica)
    uow.visits.add(Visit.schedule(schedule, due_on, now()))
    if due_on <= today:
        await staff_visit(uow, schedule, vid, today, staffed)


async def staff_visit(
    uow: DispatchUnitOfWork, schedule: Schedule, vid: str, today: date, staffed: Counter[str] | None = None
) -> bool:
    """Open the visit's job (once) and assign it from `today`'s roster, counting breakdown and visit
    jobs (and `staffed`, this step's own assignments) against capacity; if nobody fits, the new job
    is queued (alerting the dispatcher)."""
    staffed = Counter() if staffed is None else staffed
    job = await uow.jobs.get(vid)
    if job is None:
        job = Job.new(
            ticket_id=vid,
            job_id=f"J-{vid}",
            region=schedule.region,
            product_line=schedule.product_line,
            severity=SEVERITY,
            on_site_required=True,
            unit_id=schedule.unit_id,
            opened_at=now(),
        )
        uow.jobs.add(job)
    elif job.technician_id is not None or not job.is_open:
        return False
    need = JobNeed(
        ticket_id=vid,
        region=schedule.region,
        product_line=schedule.product_line,
        on_site=True,
        last_served_by=await uow.repairs.last_served_by(schedule.unit_id),
    )
    candidates = await uow.directory.candidates(need)
    load = Counter(await uow.job_rows.loads(candidates)) + Counter(await uow.job_rows.visit_loads()) + staffed
    decision = choose(need, candidates, load=load, on_shift=await uow.directory.on_shift_on(today))
    if decision.technician_id is None:
        if job.version == 0:
            DECISIONS.labels("visit_queued").inc()
            job.queue(f"maintenance visit due {today}: nobody on that day's roster fits", now())
        return False
    profile = await uow.directory.profile(decision.technician_id)
    job.assign(decision.technician_id, profile.level if profile else 1, f"visit: {decision.reason}", now())
    staffed[decision.technician_id] += 1
    DECISIONS.labels("visit_assigned").inc()
    return True


async def complete_visit(command: CompleteVisit, uow: DispatchUnitOfWork) -> dict[str, Any]:
    """The visit's report resolves its job (signed off like a repair) and completes the visit; a
    since-last cadence's next visit is planned from this completion."""
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
    await _plan_after(uow, visit, at.date())
    return job_document(job, await uow.job_rows.get(command.visit_id))


async def _plan_after(uow: DispatchUnitOfWork, visit: Visit, done_on: date) -> None:
    document = await uow.schedules.get(visit.schedule_id)
    if document is None:
        return
    schedule = schedule_from_document(document)
    if not schedule.since_last:
        return
    history = await uow.visit_rows.history(schedule.schedule_id)
    if history.open - {visit.visit_id}:
        return
    last_due = max(d for d in (history.last_due, visit.due_on) if d is not None)
    due = schedule.next_since_last(last_completed=done_on, last_due=last_due, today=done_on)
    if due is not None and due <= done_on + HORIZON:
        await _plan(uow, schedule, due, done_on, None)


HANDLERS: dict[type, Handler] = {
    AddSchedule: add_schedule,
    PlanMaintenance: plan_maintenance,
    CompleteVisit: complete_visit,
}
