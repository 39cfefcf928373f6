"""Changes to a ticket over HTTP: one command each, refused with 412 when If-Match names another
version, answered with the ticket and its new ETag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse

from intake.domain import commands as c
from intake.domain.errors import MalformedRequest
from intake.entrypoints.dependencies import BusDep, FieldOrOffice, Office, TicketViewsDep
from intake.entrypoints.schemas import (
    ClassifyIn,
    CloseIn,
    EntitlementIn,
    NoteIn,
    PartsIn,
    QuoteDecisionIn,
    ReasonIn,
    ResolveIn,
    SatisfactionIn,
)
from intake.entrypoints.ticket_routes import ANSWERS_A_TICKET, answer_ticket, ensure_visible
from shared.auth import Principal
from shared.http.context import event_metadata

router = APIRouter(tags=["tickets"])
IfMatch = Annotated[str | None, Header(description='The ETag last read, e.g. "3"')]


def _version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise MalformedRequest(
            "Malformed If-Match",
            field="If-Match",
            detail='expected the ETag of the ticket, e.g. "3"',
            status=400,
        ) from None


async def _change(
    bus: BusDep, views: TicketViewsDep, principal: Principal, command: c.TicketCommand
) -> JSONResponse:
    await ensure_visible(views, principal, command.ticket_id)
    return answer_ticket(await bus.handle(command, metadata=event_metadata(principal)))


@router.post("/tickets/{ticket_id}/classify", **ANSWERS_A_TICKET)
async def classify(
    ticket_id: str,
    body: ClassifyIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: Office,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.ClassifyTicket(
        ticket_id=ticket_id, expected_version=_version(if_match), severity=body.severity, reason=body.reason
    )
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/notes", **ANSWERS_A_TICKET)
async def add_note(
    ticket_id: str,
    body: NoteIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: FieldOrOffice,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.AddNote(
        ticket_id=ticket_id, expected_version=_version(if_match), text=body.text, author=principal.actor
    )
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/await-customer", **ANSWERS_A_TICKET)
async def await_customer(
    ticket_id: str,
    body: ReasonIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: FieldOrOffice,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.AwaitCustomer(ticket_id=ticket_id, expected_version=_version(if_match), reason=body.reason)
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/await-parts", **ANSWERS_A_TICKET)
async def await_parts(
    ticket_id: str,
    body: PartsIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: FieldOrOffice,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.AwaitParts(
        ticket_id=ticket_id, expected_version=_version(if_match), reason=body.reason, parts=tuple(body.parts)
    )
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/resume", **ANSWERS_A_TICKET)
async def resume(
    ticket_id: str, bus: BusDep, views: TicketViewsDep, principal: FieldOrOffice, if_match: IfMatch = None
) -> JSONResponse:
    command = c.ResumeTicket(ticket_id=ticket_id, expected_version=_version(if_match))
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/resolve", **ANSWERS_A_TICKET)
async def resolve(
    ticket_id: str,
    body: ResolveIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: FieldOrOffice,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.ResolveTicket(
        ticket_id=ticket_id,
        expected_version=_version(if_match),
        resolution=body.resolution,
        resolved_by=principal.actor,
        technician_id=principal.technician_id,
        fault_code=body.fault_code,
    )
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/reopen", **ANSWERS_A_TICKET)
async def reopen(
    ticket_id: str,
    body: ReasonIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: Office,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.ReopenTicket(ticket_id=ticket_id, expected_version=_version(if_match), reason=body.reason)
    return await _change(bus, views, principal, command)


@router.post(
    "/tickets/{ticket_id}/satisfaction",
    summary="The callback's answer; a dissatisfied one files a complaint",
    **ANSWERS_A_TICKET,
)
async def satisfaction(
    ticket_id: str,
    body: SatisfactionIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: Office,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.RecordSatisfaction(
        ticket_id=ticket_id, expected_version=_version(if_match), score=body.score, comment=body.comment
    )
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/close", summary="Close after the callback", **ANSWERS_A_TICKET)
async def close(
    ticket_id: str,
    body: CloseIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: Office,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.CloseTicket(
        ticket_id=ticket_id, expected_version=_version(if_match), callback_note=body.callback_note
    )
    return await _change(bus, views, principal, command)


@router.post("/tickets/{ticket_id}/cancel", **ANSWERS_A_TICKET)
async def cancel(
    ticket_id: str,
    body: ReasonIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: Office,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.CancelTicket(ticket_id=ticket_id, expected_version=_version(if_match), reason=body.reason)
    return await _change(bus, views, principal, command)


@router.post(
    "/tickets/{ticket_id}/quote-decision",
    summary="The customer's answer to the quote: accepted, the work may start; declined, cancelled",
    **ANSWERS_A_TICKET,
)
async def quote_decision(
    ticket_id: str,
    body: QuoteDecisionIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: Office,
    if_match: IfMatch = None,
) -> JSONResponse:
    answer = c.AcceptQuote if body.decision == "accepted" else c.DeclineQuote
    command = answer(
        ticket_id=ticket_id,
        expected_version=_version(if_match),
        recorded_by=principal.actor,
        answered_via=body.answered_via,
        answered_at=body.answered_at,
        quote_reference=body.quote_reference,
        quoted_amount=None if body.quoted_amount is None else str(body.quoted_amount),
        currency=body.currency,
        note=body.note,
    )
    return await _change(bus, views, principal, command)


@router.post(
    "/tickets/{ticket_id}/entitlement",
    summary="Re-assess warranty entitlement (e.g. after diagnosis)",
    **ANSWERS_A_TICKET,
)
async def reassess(
    ticket_id: str,
    body: EntitlementIn,
    bus: BusDep,
    views: TicketViewsDep,
    principal: FieldOrOffice,
    if_match: IfMatch = None,
) -> JSONResponse:
    command = c.ReassessEntitlement(
        ticket_id=ticket_id, expected_version=_version(if_match), cause=body.cause, fault_code=body.fault_code
    )
    return await _change(bus, views, principal, command)
