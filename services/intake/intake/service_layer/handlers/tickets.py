"""Ticket commands from the office and integrations: load, one domain verb, the ticket as answered.

A change names the version the client read (If-Match): another version is refused before anything
happens. The answer is the ticket document with the technician the read model holds.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from intake.domain import commands as c
from intake.domain.complaint import Complaint
from intake.domain.entitlement import Cause
from intake.domain.errors import InvalidCommand, TicketNotFound, VersionMismatch
from intake.domain.ticket import Ticket
from intake.service_layer.assessment import assess_again, contract_as_reported, entitlement_of
from intake.service_layer.documents import ticket_document
from intake.service_layer.ids import time_ordered_id
from intake.service_layer.sla_references import require_known_sla_references
from intake.service_layer.unit_of_work import IntakeUnitOfWork
from shared.calendars.china import ChinaCalendar

Document = dict[str, Any]


def now() -> datetime:
    return datetime.now(UTC)


async def open_ticket(command: c.OpenTicket, uow: IntakeUnitOfWork, *, holidays: ChinaCalendar) -> Document:
    """A new ticket in its archive context, its entitlement assessed when it names a unit; its
    contract's policy and calendar must exist at the SLA monitor (never measured by the default)."""
    facts = await uow.archive.ticket_facts(
        customer_id=command.customer_id,
        severity=command.severity,
        caller_name=command.caller_name,
        caller_phone=command.caller_phone,
        contract_id=command.contract_id,
        site_id=command.site_id,
        unit_id=command.unit_id,
        serial_number=command.serial_number,
    )
    context = facts.context
    await require_known_sla_references(
        uow, policy_id=context.policy_id, calendar_id=context.calendar_id, contract_id=context.contract_id
    )
    at = now()
    contract = facts.contract or {}
    reported_at = command.reported_at or at
    assessed = None
    if facts.unit is not None:  # assessed before the opening, which says whether work waits for consent
        terms = await contract_as_reported(uow, facts.contract, command.reported_at)
        assessed = entitlement_of(
            facts.unit,
            terms,
            Cause.PERFORMANCE_FAULT,
            reported_at,
            facts.prior_repairs,
            holidays,
            fault_code=command.fault_code,
        )
    ticket = Ticket.open(
        ticket_id=time_ordered_id("T"),
        context=facts.context,
        channel=command.channel,
        reported_at=reported_at,
        description=command.description,
        caller=facts.caller,
        now=at,
        fault_code=command.fault_code,
        account_engineer_id=contract.get("account_engineer_id"),
        sales_rep_id=contract.get("sales_rep_id"),
        awaits_consent=assessed is not None and assessed.entitlement.awaits_consent,
    )
    if assessed is not None:
        assessed.record_on(ticket, at)
    uow.tickets.add(ticket)
    return ticket_document(ticket)


async def load(uow: IntakeUnitOfWork, command: c.TicketCommand) -> Ticket:
    ticket = await uow.tickets.get(command.ticket_id)
    if ticket is None:
        raise TicketNotFound(command.ticket_id)
    if command.expected_version is not None and ticket.version != command.expected_version:
        raise VersionMismatch(ticket.version)
    return ticket


async def answer(uow: IntakeUnitOfWork, ticket: Ticket) -> Document:
    return ticket_document(ticket, await uow.ticket_rows.technician_of(ticket.ticket_id))


async def classify(command: c.ClassifyTicket, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.classify(command.severity, command.reason, now())
    return await answer(uow, ticket)


async def add_note(command: c.AddNote, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.add_note(command.text, command.author, now())
    return await answer(uow, ticket)


async def await_customer(command: c.AwaitCustomer, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.await_customer(command.reason, now())
    return await answer(uow, ticket)


async def await_parts(command: c.AwaitParts, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.await_parts(command.reason, command.parts, now())
    return await answer(uow, ticket)


async def resume(command: c.ResumeTicket, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.resume(now())
    return await answer(uow, ticket)


async def resolve(command: c.ResolveTicket, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.resolve(
        command.resolution,
        command.resolved_by,
        now(),
        technician_id=command.technician_id,
        fault_code=command.fault_code,
    )
    return await answer(uow, ticket)


async def reopen(command: c.ReopenTicket, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.reopen(command.reason, now())
    return await answer(uow, ticket)


async def record_satisfaction(command: c.RecordSatisfaction, uow: IntakeUnitOfWork) -> Document:
    """A dissatisfied answer files a complaint about the ticket (SPEC 2.7), in the same transaction."""
    ticket = await load(uow, command)
    if ticket.record_satisfaction(command.score, command.comment, now()):
        context = ticket.context
        assert context is not None and ticket.updated_at is not None
        uow.complaints.add(
            Complaint.file(
                complaint_id=time_ordered_id("CP"),
                customer_id=context.customer_id,
                ticket_id=ticket.ticket_id,
                text=f"dissatisfied at the callback (score {command.score}): {command.comment}".strip(),
                now=ticket.updated_at,  # when the answer was recorded
                context=context,
                source="satisfaction_callback",
            )
        )
    return await answer(uow, ticket)


async def close(command: c.CloseTicket, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.close(command.callback_note, now())
    return await answer(uow, ticket)


async def cancel(command: c.CancelTicket, uow: IntakeUnitOfWork) -> Document:
    ticket = await load(uow, command)
    ticket.cancel(command.reason, now())
    return await answer(uow, ticket)


async def answer_quote(command: c.AnswerQuote, uow: IntakeUnitOfWork) -> Document:
    """The customer's answer to the quote: accepted resumes the ticket, declined cancels it."""
    ticket = await load(uow, command)
    at = now()
    ticket.answer_quote(
        accepted=isinstance(command, c.AcceptQuote),
        recorded_by=command.recorded_by,
        answered_via=command.answered_via,
        answered_at=command.answered_at or at,
        now=at,
        quote_reference=command.quote_reference,
        quoted_amount=command.quoted_amount,
        currency=command.currency,
        note=command.note,
    )
    return await answer(uow, ticket)


async def reassess_entitlement(
    command: c.ReassessEntitlement, uow: IntakeUnitOfWork, *, holidays: ChinaCalendar
) -> Document:
    ticket = await load(uow, command)
    assessed = await assess_again(
        uow, ticket, cause=command.cause, fault_code=command.fault_code, now=now(), holidays=holidays
    )
    if not assessed:
        raise InvalidCommand("the ticket has no unit to assess", field="unit_id")
    return await answer(uow, ticket)
