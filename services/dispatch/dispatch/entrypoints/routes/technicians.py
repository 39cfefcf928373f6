"""Technicians and the roster."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query, status

from dispatch.domain.commands import RegisterTechnician, SaveRoster, SetTechnicianStatus, UpdateTechnician
from dispatch.entrypoints import schemas as s
from dispatch.entrypoints.dependencies import Admin, BusDep, Office, ViewsDep
from shared.http.context import event_metadata

router = APIRouter()
TAGS: list[str | Enum] = ["technicians"]


@router.post("/technicians", status_code=status.HTTP_201_CREATED, tags=TAGS, response_model=s.TechnicianOut)
async def register_technician(body: s.TechnicianIn, bus: BusDep, views: ViewsDep, principal: Admin) -> dict:
    command = RegisterTechnician(
        **body.model_dump(exclude={"skills", "regions"}),
        skills=tuple(body.skills),
        regions=tuple(body.regions),
    )
    await bus.handle(command, metadata=event_metadata(principal))
    return await views.technician(body.technician_id)


@router.put("/technicians/{technician_id}", tags=TAGS, response_model=s.TechnicianOut)
async def update_technician(
    technician_id: str, body: s.TechnicianUpdate, bus: BusDep, views: ViewsDep, principal: Admin
) -> dict:
    command = UpdateTechnician(
        technician_id=technician_id,
        **body.model_dump(exclude={"skills", "regions"}),
        skills=tuple(body.skills),
        regions=tuple(body.regions),
    )
    await bus.handle(command, metadata=event_metadata(principal))
    return await views.technician(technician_id)


@router.post("/technicians/{technician_id}/status", tags=TAGS, response_model=s.TechnicianOut)
async def set_status(
    technician_id: str, body: s.StatusIn, bus: BusDep, views: ViewsDep, principal: Office
) -> dict:
    command = SetTechnicianStatus(technician_id=technician_id, status=body.status)
    await bus.handle(command, metadata=event_metadata(principal))
    return await views.technician(technician_id)


@router.get(
    "/technicians",
    tags=TAGS,
    response_model=list[s.TechnicianOut],
    summary="Technicians; `on_shift=true&region=R&skill=S` answers who is on shift now in R with S",
)
async def list_technicians(
    views: ViewsDep,
    _: Office,
    region: str | None = None,
    skill: str | None = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    on_shift: bool = False,
) -> list[dict]:
    return await views.technicians(region=region, skill=skill, level=level, on_shift_only=on_shift)


@router.put(
    "/roster",
    tags=["roster"],
    response_model=s.RosterDoc,
    summary="Shifts, on-call rotation (two groups alternating) and leave",
)
async def put_roster(body: s.RosterDoc, bus: BusDep, principal: Admin) -> dict:
    document = body.model_dump(mode="json")
    await bus.handle(SaveRoster(document=document), metadata=event_metadata(principal))
    return document


@router.get("/roster", tags=["roster"], response_model=s.RosterDoc)
async def get_roster(views: ViewsDep, _: Office) -> dict:
    return await views.roster()
