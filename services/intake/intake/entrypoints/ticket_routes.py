"""Tickets and complaints over HTTP: Idempotency-Key on creation, ETag / If-Match on every change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, status
from fastapi.responses import JSONResponse

from intake.domain.ticket import Ticket
from intake.entrypoints.ticket_schemas import (
    ClassifyIn,
    CloseIn,
    ComplaintIn,
    EntitlementIn,
    NoteIn,
    PartsIn,
    ReasonIn,
    ReplyIn,
    ResolveIn,
    SatisfactionIn,
    TicketIn,
    TicketPage,
)
from intake.service_layer import queries
from intake.service_layer.tickets import OpenTicket, TicketNotFound, TicketService
from shared.auth import Allow, Principal, Role
from shared.http.context import event_metadata
from shared.http.problems import Problem
from shared.idempotency import IdempotencyKeyReused, request_fingerprint

router = APIRouter(tags=["tickets"])
OFFICE = (Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN)
Creator = Annotated[Principal, Depends(Allow(Role.INTEGRATION, *OFFICE))]
Reader = Annotated[Principal, Depends(Allow(Role.INTEGRATION, Role.TECHNICIAN, *OFFICE))]
Office = Annotated[Principal, Depends(Allow(*OFFICE))]
FieldOrOffice = Annotated[Principal, Depends(Allow(Role.TECHNICIAN, *OFFICE))]
ComplaintDesk = Annotated[Principal, Depends(Allow(Role.INTEGRATION, *OFFICE))]
IfMatch = Annotated[str | None, Header(description='The ETag last read, e.g. "3"')]
IdempotencyKey = Annotated[str | None, Header(min_length=8, max_length=200)]


def _service(request: Request) -> TicketService:
    return request.app.state.tickets


def _version(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    try:
        return int(if_match.strip().removeprefix("W/").strip('"'))
    except ValueError:
        raise Problem(
            400,
            "Malformed If-Match",
            'expected the ETag of the ticket, e.g. "3"',
            type_="/problems/validation",
            field="If-Match",
        ) from None


def _answer(document: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status_code, headers={"ETag": f'"{document["version"]}"'})


async def _visible(request: Request, principal: Principal, ticket_id: str) -> None:
    """Technicians reach only their jobs' tickets; supervisors with a region only that region's."""
    only_field = principal.is_only_technician
    if not (only_field or principal.regional_scope):
        return
    row = await queries.ticket_row(request.app.state.runtime.engine, ticket_id)
    mine = row is not None and (
        row["technician_id"] == principal.acting_technician
        if only_field
        else row["region"] == principal.regional_scope
    )
    if not mine:
        raise TicketNotFound(ticket_id)


async def _change(
    request: Request,
    principal: Principal,
    ticket_id: str,
    if_match: str | None,
    action: Callable[[Ticket, datetime], Any],
) -> JSONResponse:
    await _visible(request, principal, ticket_id)
    document = await _service(request).change(
        ticket_id, action, metadata=event_metadata(principal), if_match=_version(if_match)
    )
    return _answer(document)


@router.post(
    "/tickets",
    status_code=status.HTTP_201_CREATED,
    summary="Open a ticket from any channel (retries with the same Idempotency-Key are safe)",
)
async def open_ticket(
    body: TicketIn, request: Request, principal: Creator, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    command = OpenTicket(
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
    try:
        outcome = await _service(request).open(
            command,
            metadata=event_metadata(principal),
            idempotency_key=idempotency_key,
            scope=f"POST /tickets {principal.client_id}",
            fingerprint=request_fingerprint(body.model_dump(mode="json")),
        )
    except IdempotencyKeyReused:
        raise Problem(
            422,
            "Idempotency-Key reused with a different body",
            type_="/problems/idempotency-key-reused",
            field="Idempotency-Key",
        ) from None
    response = _answer(outcome.document, outcome.status)
    response.headers["Location"] = f"/tickets/{outcome.document['ticket_id']}"
    return response


@router.get("/tickets", summary="List tickets by customer, status, severity, technician (cursor pages)")
async def list_tickets(
    request: Request,
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
    region = principal.regional_scope
    where = queries.TicketFilter(
        customer_id=customer_id, status=status_, severity=severity, technician_id=technician_id, region=region
    )
    try:
        items, next_cursor = await queries.list_tickets(
            request.app.state.runtime.engine, where, limit=limit, cursor=cursor
        )
    except queries.BadCursor:
        raise Problem(422, "Malformed cursor", type_="/problems/validation", field="cursor") from None
    return TicketPage(items=items, next_cursor=next_cursor)


@router.get("/tickets/{ticket_id}", summary="A ticket now, or as it was at `as_of`")
async def get_ticket(
    ticket_id: str, request: Request, principal: Reader, as_of: datetime | None = None
) -> JSONResponse:
    if as_of is not None and as_of.tzinfo is None:
        raise Problem(422, "as_of needs a time zone", type_="/problems/validation", field="as_of")
    await _visible(request, principal, ticket_id)
    return _answer(await _service(request).get(ticket_id, as_of=as_of))


@router.get("/tickets/{ticket_id}/events", summary="The ticket's full history, oldest first")
async def ticket_events(ticket_id: str, request: Request, principal: Reader) -> dict[str, Any]:
    await _visible(request, principal, ticket_id)
    return {"ticket_id": ticket_id, "events": await _service(request).history(ticket_id)}


@router.post("/tickets/{ticket_id}/classify")
async def classify(
    ticket_id: str, body: ClassifyIn, request: Request, principal: Office, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(
        request, principal, ticket_id, if_match, lambda t, now: t.classify(body.severity, body.reason, now)
    )


@router.post("/tickets/{ticket_id}/notes")
async def add_note(
    ticket_id: str, body: NoteIn, request: Request, principal: FieldOrOffice, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(
        request, principal, ticket_id, if_match, lambda t, now: t.add_note(body.text, principal.actor, now)
    )


@router.post("/tickets/{ticket_id}/await-customer")
async def await_customer(
    ticket_id: str, body: ReasonIn, request: Request, principal: FieldOrOffice, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(
        request, principal, ticket_id, if_match, lambda t, now: t.await_customer(body.reason, now)
    )


@router.post("/tickets/{ticket_id}/await-parts")
async def await_parts(
    ticket_id: str, body: PartsIn, request: Request, principal: FieldOrOffice, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(
        request,
        principal,
        ticket_id,
        if_match,
        lambda t, now: t.await_parts(body.reason, tuple(body.parts), now),
    )


@router.post("/tickets/{ticket_id}/resume")
async def resume(
    ticket_id: str, request: Request, principal: FieldOrOffice, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(request, principal, ticket_id, if_match, lambda t, now: t.resume(now))


@router.post("/tickets/{ticket_id}/resolve")
async def resolve(
    ticket_id: str, body: ResolveIn, request: Request, principal: FieldOrOffice, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(
        request,
        principal,
        ticket_id,
        if_match,
        lambda t, now: t.resolve(
            body.resolution,
            principal.actor,
            now,
            technician_id=principal.technician_id,
            fault_code=body.fault_code,
        ),
    )


@router.post("/tickets/{ticket_id}/reopen")
async def reopen(
    ticket_id: str, body: ReasonIn, request: Request, principal: Office, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(request, principal, ticket_id, if_match, lambda t, now: t.reopen(body.reason, now))


@router.post(
    "/tickets/{ticket_id}/satisfaction", summary="The callback's answer; a dissatisfied one files a complaint"
)
async def satisfaction(
    ticket_id: str, body: SatisfactionIn, request: Request, principal: Office, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(
        request,
        principal,
        ticket_id,
        if_match,
        lambda t, now: t.record_satisfaction(body.score, body.comment, now),
    )


@router.post("/tickets/{ticket_id}/close", summary="Close after the callback")
async def close(
    ticket_id: str, body: CloseIn, request: Request, principal: Office, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(
        request, principal, ticket_id, if_match, lambda t, now: t.close(body.callback_note, now)
    )


@router.post("/tickets/{ticket_id}/cancel")
async def cancel(
    ticket_id: str, body: ReasonIn, request: Request, principal: Office, if_match: IfMatch = None
) -> JSONResponse:
    return await _change(request, principal, ticket_id, if_match, lambda t, now: t.cancel(body.reason, now))


@router.post(
    "/tickets/{ticket_id}/entitlement", summary="Re-assess warranty entitlement (e.g. after diagnosis)"
)
async def reassess(
    ticket_id: str, body: EntitlementIn, request: Request, principal: FieldOrOffice, if_match: IfMatch = None
) -> JSONResponse:
    await _visible(request, principal, ticket_id)
    document = await _service(request).reassess(
        ticket_id,
        cause=body.cause,
        fault_code=body.fault_code,
        metadata=event_metadata(principal),
        if_match=_version(if_match),
    )
    return _answer(document)


@router.post("/complaints", status_code=status.HTTP_201_CREATED, tags=["complaints"])
async def file_complaint(body: ComplaintIn, request: Request, principal: ComplaintDesk) -> JSONResponse:
    document = await _service(request).file_complaint(
        customer_id=body.customer_id,
        text=body.text,
        ticket_id=body.ticket_id,
        metadata=event_metadata(principal),
    )
    return _answer(document, 201)


@router.get("/complaints/{complaint_id}", tags=["complaints"])
async def get_complaint(complaint_id: str, request: Request, _: ComplaintDesk) -> JSONResponse:
    return _answer(await _service(request).complaint(complaint_id))


@router.post("/complaints/{complaint_id}/reply", tags=["complaints"])
async def reply_complaint(
    complaint_id: str, body: ReplyIn, request: Request, principal: Office
) -> JSONResponse:
    return _answer(
        await _service(request).answer_complaint(
            complaint_id, reply=body.reply, metadata=event_metadata(principal)
        )
    )
