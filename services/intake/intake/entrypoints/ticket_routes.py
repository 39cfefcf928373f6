"""Tickets over HTTP: opened with an Idempotency-Key, listed, read now or as of a moment, and their
history. The changes are in ticket_change_routes.py (ETag / If-Match on every one).

Each route checks who may see the ticket, builds one command and hands it to the bus (or asks a
view), and answers the ticket document with its version as the ETag.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, status
from fastapi.responses import JSONResponse

from intake.domain import commands as c
from intake.domain.errors import MalformedRequest, TicketNotFound
from intake.entrypoints.dependencies import (
    BusDep,
    Creator,
    Reader,
    TicketViewsDep,
)
from intake.entrypoints.schemas import (
    TicketHistory,
    TicketIn,
    TicketOut,
    TicketPage,
)
from intake.views.tickets import TicketFilter
from shared.auth import Principal
from shared.http.context import event_metadata
from shared.idempotency import KeyUse, request_fingerprint

router = APIRouter(tags=["tickets"])
IdempotencyKey = Annotated[str | None, Header(min_length=8, max_length=200)]
ANSWERS_A_TICKET: dict[str, Any] = {"response_model": TicketOut}


def answer_ticket(document: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status_code, headers={"ETag": f'"{document["version"]}"'})


async def ensure_visible(views: TicketViewsDep, principal: Principal, ticket_id: str) -> None:
    """Technicians reach only their jobs' tickets; supervisors with a region only that region's."""
    seen = await views.visible(
        ticket_id,
        only_technician=principal.is_only_technician,
        technician_id=principal.acting_technician,
        region=principal.regional_scope,
    )
    if not seen:
        raise TicketNotFound(ticket_id)


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
    response = answer_ticket(outcome.document, outcome.status)
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
    await ensure_visible(views, principal, ticket_id)
    return answer_ticket(await views.ticket(ticket_id, as_of=as_of))


@router.get("/tickets/{ticket_id}/events", summary="The ticket's full history, oldest first")
async def ticket_events(ticket_id: str, views: TicketViewsDep, principal: Reader) -> TicketHistory:
    await ensure_visible(views, principal, ticket_id)
    return TicketHistory.model_validate({"ticket_id": ticket_id, "events": await views.history(ticket_id)})
