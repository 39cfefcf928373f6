"""Tickets over HTTP: Idempotency-Key on creation, ETag / If-Match on every change.

Each route checks who may see the ticket, builds one command and hands it to the bus (or asks a
view), and answers the ticket document with its version as the ETag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import JSONResponse

from intake.domain import commands as c
from intake.domain.errors import MalformedRequest, TicketNotFound
from intake.entrypoints.dependencies import (
    BusDep,
    Creator,
    FieldOrOffice,
    Office,
    Reader,
    TicketViewsDep,
    no_nul_parameters,
)
from intake.entrypoints.schemas import (
    ClassifyIn,
    CloseIn,
    EntitlementIn,
    NoteIn,
    PartsIn,
    ReasonIn,
    ResolveIn,
    SatisfactionIn,
    TicketHistory,
    TicketIn,
    TicketOut,
    TicketPage,
)
from intake.views.tickets import TicketFilter
from shared.auth import Principal
from shared.http.context import event_metadata
from shared.idempotency import KeyUse, request_fingerprint

router = APIRouter(tags=["tickets"], dependencies=[Depends(no_nul_parameters)])
IfMatch = Annotated[str | None, Header(description='The ETag last read, e.g. "3"')]
IdempotencyKey = Annotated[str | None, Header(min_length=8, max_length=200)]
ANSWERS_A_TICKET: dict[str, Any] = {"response_model": TicketOut}


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


def _answer(document: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status_code, headers={"ETag": f'"{document["version"]}"'})


async def _visible(views: TicketViewsDep, principal: Principal, ticket_id: str) -> None:
    """Technicians reach only their jobs' tickets; supervisors with a region only that region's."""
    seen = await views.visible(
        ticket_id,
        only_technician=principal.is_only_technician,
        technician_id=principal.acting_technician,
        region=principal.regional_scope,
    )
    if not seen:
        raise TicketNotFound(ticket_id)


async def _change(
    bus: BusDep, views: TicketViewsDep, principal: Principal, command: c.TicketCommand
) -> JSONResponse:
    await _visible(views, principal, command.ticket_id)
    return _answer(await bus.handle(command, metadata=event_metadata(principal)))


@router.post(
    "/tickets",
    status_code=status.HTTP_201_CREATED,
    summary="Open a ticket from any channel (retries with the same Idempotency-Key are safe)",
    **ANSWERS_A_TICKET,
)
async def open_ticket(
    body: TicketIn, request: Request, bus: BusDep, principal: Creator, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    command = c.OpenTicket(
        customer_id=body.customer_id,
        channel=body.channel,
        severity=body.severity,
        description=body.description,
        caller_name=body.caller.name,
        caller_phone=body.caller.phone,
        reported_at=body.reported_at,
        contract_id=body.contract_id,
        site_id=body.site_id,
        unit_id=body.unit_id,
        serial_number=body.serial_number,
        fault_code=body.fault_code,
    )
    key = None
    if idempotency_key:
        fingerprint = request_fingerprint(body.model_dump(mode="json"))
        key = KeyUse(f"POST /tickets {principal.client_id}", idempotency_key, fingerprint)
    outcome = await bus.handle(command, metadata=event_metadata(principal), idempotency=key)
    response = _answer(outcome.document, outcome.status)
    response.headers["Location"] = f"/tickets/{outcome.document['ticket_id']}"
    return response


@router.get("/tickets", summary="List tickets by customer, status, severity, technician (cursor pages)")
async def list_tickets(
    views: TicketViewsDep,
    principal: Reader,
    customer_id: str | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    severity: str | None = None,
    technician_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> TicketPage:
    if principal.is_only_technician:
        technician_id = principal.acting_technician
    where = TicketFilter(
        customer_id=customer_id,
        status=status_,
        severity=severity,
        technician_id=technician_id,
        region=principal.regional_scope,
    )
    items, next_cursor = await views.page(where, limit=limit, cursor=cursor)
    return TicketPage.model_validate({"items": items, "next_cursor": next_cursor})


@router.get("/tickets/{ticket_id}", summary="A ticket now, or as it was at `as_of`", **ANSWERS_A_TICKET)
async def get_ticket(
    ticket_id: str, views: TicketViewsDep, principal: Reader, as_of: datetime | None = None
) -> JSONResponse:
    if as_of is not None and as_of.tzinfo is None:
        raise MalformedRequest("as_of needs a time zone", field="as_of")
    await _visible(views, principal, ticket_id)
    return _answer(await views.ticket(ticket_id, as_of=as_of))


@router.get("/tickets/{ticket_id}/events", summary="The ticket's full history, oldest first")
async def ticket_events(ticket_id: str, views: TicketViewsDep, principal: Reader) -> TicketHistory:
    await _visible(views, principal, ticket_id)
    return TicketHistory.model_validate({"ticket_id": ticket_id, "events": await views.history(ticket_id)})


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
