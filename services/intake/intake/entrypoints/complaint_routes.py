"""Complaints over HTTP: filed and read by the office, integrations and the complaint desk; answered by
the complaint desk alone (handled apart from the service department, seed 002)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from intake.domain import commands as c
from intake.entrypoints.dependencies import (
    BusDep,
    ComplaintDesk,
    ComplaintFiler,
    TicketViewsDep,
)
from intake.entrypoints.schemas import ComplaintIn, ComplaintOut, ReplyIn
from shared.http.context import event_metadata

router = APIRouter(tags=["complaints"])


def _answer(document: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return JSONResponse(document, status_code=status_code, headers={"ETag": f'"{document["version"]}"'})


@router.post("/complaints", status_code=status.HTTP_201_CREATED, response_model=ComplaintOut)
async def file_complaint(body: ComplaintIn, bus: BusDep, principal: ComplaintFiler) -> JSONResponse:
    command = c.FileComplaint(customer_id=body.customer_id, text=body.text, ticket_id=body.ticket_id)
    return _answer(await bus.handle(command, metadata=event_metadata(principal)), 201)


@router.get("/complaints/{complaint_id}", response_model=ComplaintOut)
async def get_complaint(complaint_id: str, views: TicketViewsDep, _: ComplaintFiler) -> JSONResponse:
    return _answer(await views.complaint(complaint_id))


@router.post("/complaints/{complaint_id}/reply", response_model=ComplaintOut)
async def reply_complaint(
    complaint_id: str, body: ReplyIn, bus: BusDep, principal: ComplaintDesk
) -> JSONResponse:
    metadata = event_metadata(principal)
    command = c.AnswerComplaint(
        complaint_id=complaint_id, reply=body.reply, answered_by=metadata.actor or "unknown"
    )
    return _answer(await bus.handle(command, metadata=metadata))
