"""Preventive maintenance: schedules, the visits they plan, a visit's completion in the field."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, status

from dispatch.domain.commands import AddSchedule, CompleteVisit
from dispatch.entrypoints import schemas as s
from dispatch.entrypoints.dependencies import BusDep, FieldTech, Office, Planner, ViewsDep
from shared.http.context import event_metadata

router = APIRouter()
TAGS: list[str | Enum] = ["maintenance"]


@router.post(
    "/maintenance/schedules",
    status_code=status.HTTP_201_CREATED,
    tags=TAGS,
    response_model=s.ScheduleDoc,
    summary="A schedule per unit or contract; visits are planned a month ahead, staffed on their day",
)
async def add_schedule(body: s.ScheduleDoc, bus: BusDep, principal: Planner) -> dict:
    command = AddSchedule(**body.model_dump(), today=datetime.now(UTC).date())
    return await bus.handle(command, metadata=event_metadata(principal))


@router.get("/maintenance/visits", tags=TAGS, response_model=list[s.VisitOut])
async def list_visits(
    views: ViewsDep,
    _: Office,
    status_: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict]:
    return await views.visits(status=status_, limit=limit)


@router.post("/maintenance/visits/{visit_id}/complete", tags=[*TAGS, "field"], response_model=s.JobOut)
async def complete_visit(visit_id: str, body: s.VisitReport, bus: BusDep, principal: FieldTech) -> dict:
    command = CompleteVisit(
        visit_id=visit_id,
        technician_id=principal.acting_technician,
        report=body.report,
        minutes_spent=body.minutes_spent,
        signed_by=body.signed_by,
        occurred_at=body.occurred_at,
    )
    return await bus.handle(command, metadata=event_metadata(principal))
