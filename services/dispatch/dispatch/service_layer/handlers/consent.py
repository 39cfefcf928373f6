"""The customer's consent to the quote, from intake's events: hold the job while it is awaited,
staff it once given, end it when refused (SPEC 2.3: dispatch sends nobody before the consent event).

The hold lives on the job (its own stream). Intake's events of one ticket arrive in order on one
topic, so the job exists by then; should one arrive first all the same, it is parked
(`JobNotOpenedYet`) and applied when the ticket's opening arrives.
"""

from __future__ import annotations

from dispatch.domain.commands import RecordQuoteAnswer, ReviewConsentHold
from dispatch.domain.consent import ACCEPTED, NOT_NEEDED
from dispatch.domain.job import Job
from dispatch.service_layer.assigning import now, try_assign
from dispatch.service_layer.handlers.roles import JobNotOpenedYet
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork
from shared.messagebus import Handler


async def _job(uow: DispatchUnitOfWork, ticket_id: str) -> Job:
    job = await uow.jobs.get(ticket_id)
    if job is None:
        raise JobNotOpenedYet(ticket_id)  # raised before anything is written: parked
    return job


async def _release(uow: DispatchUnitOfWork, job: Job, reason: str) -> None:
    """Released and staffed as any job (whoever fits now; nobody: the queue takes it)."""
    job.release(reason, now())
    await try_assign(uow, job, on_site=True)


async def review_consent_hold(command: ReviewConsentHold, uow: DispatchUnitOfWork) -> None:
    """A (re)assessment: hold a job nobody holds while consent is awaited; release one that no longer
    needs it. A job someone holds already is left as it is (nobody is called back)."""
    if not command.awaits_consent:
        job = await uow.jobs.get(command.ticket_id)
        if job is not None and job.is_open and job.awaiting_consent:
            await _release(uow, job, NOT_NEEDED)
        return
    job = await _job(uow, command.ticket_id)
    if job.can_hold():
        job.hold_for_consent(now())


async def record_quote_answer(command: RecordQuoteAnswer, uow: DispatchUnitOfWork) -> None:
    """Accepted: the held job is staffed from now on. Declined: the job ends, nobody sent (intake
    cancels the ticket too; whichever arrives first closes the job)."""
    job = await _job(uow, command.ticket_id)
    if not job.is_open:
        return
    if not command.accepted:
        job.close("cancelled", now())
    elif job.awaiting_consent:
        await _release(uow, job, ACCEPTED)


HANDLERS: dict[type, Handler] = {
    ReviewConsentHold: review_consent_hold,
    RecordQuoteAnswer: record_quote_answer,
}
