"""The technician app: each submission carries a client id (retries are safe) and the device's time."""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import APIRouter

from dispatch.domain.commands import (
    AcknowledgeAssignment,
    ArriveOnSite,
    DepartForSite,
    EndRemoteSession,
    FieldCommand,
    RecordDiagnosis,
    RequestParts,
    RequireOnSiteVisit,
    ResolveJob,
    StartRemoteSession,
)
from dispatch.entrypoints import schemas as s
from dispatch.entrypoints.dependencies import BusDep, FieldTech
from shared.auth import Principal
from shared.http.context import event_metadata

router = APIRouter()
TAGS: list[str | Enum] = ["field"]


def _step(ticket_id: str, body: s.FieldStep, principal: Principal) -> dict[str, Any]:
    """The fields every field command has: whose job, when on the device, which submission."""
    return {
        "ticket_id": ticket_id,
        "technician_id": principal.acting_technician,
        "occurred_at": body.occurred_at,
        "client_id": body.client_id,
    }


async def _run(bus: BusDep, command: FieldCommand, principal: Principal) -> dict:
    return await bus.handle(command, metadata=event_metadata(principal))


@router.post("/jobs/{ticket_id}/acknowledge", tags=TAGS, response_model=s.JobOut)
async def acknowledge(ticket_id: str, body: s.FieldStep, bus: BusDep, principal: FieldTech) -> dict:
    return await _run(bus, AcknowledgeAssignment(**_step(ticket_id, body, principal)), principal)


@router.post("/jobs/{ticket_id}/remote-session", tags=TAGS, response_model=s.JobOut)
async def remote_started(ticket_id: str, body: s.FieldStep, bus: BusDep, principal: FieldTech) -> dict:
    return await _run(bus, StartRemoteSession(**_step(ticket_id, body, principal)), principal)


@router.post("/jobs/{ticket_id}/remote-session/end", tags=TAGS, response_model=s.JobOut)
async def remote_ended(ticket_id: str, body: s.RemoteEnd, bus: BusDep, principal: FieldTech) -> dict:
    command = EndRemoteSession(**_step(ticket_id, body, principal), resolved=body.resolved)
    return await _run(bus, command, principal)


@router.post("/jobs/{ticket_id}/depart", tags=TAGS, response_model=s.JobOut)
async def depart(ticket_id: str, body: s.FieldStep, bus: BusDep, principal: FieldTech) -> dict:
    return await _run(bus, DepartForSite(**_step(ticket_id, body, principal)), principal)


@router.post("/jobs/{ticket_id}/arrive", tags=TAGS, response_model=s.JobOut)
async def arrive(ticket_id: str, body: s.FieldStep, bus: BusDep, principal: FieldTech) -> dict:
    return await _run(bus, ArriveOnSite(**_step(ticket_id, body, principal)), principal)


@router.post("/jobs/{ticket_id}/diagnosis", tags=TAGS, response_model=s.JobOut)
async def diagnosis(ticket_id: str, body: s.Diagnosis, bus: BusDep, principal: FieldTech) -> dict:
    command = RecordDiagnosis(
        **_step(ticket_id, body, principal), diagnosis=body.diagnosis, fault_code=body.fault_code
    )
    return await _run(bus, command, principal)


@router.post("/jobs/{ticket_id}/parts", tags=TAGS, response_model=s.JobOut)
async def request_parts(ticket_id: str, body: s.PartsRequest, bus: BusDep, principal: FieldTech) -> dict:
    command = RequestParts(**_step(ticket_id, body, principal), parts=tuple(body.parts))
    return await _run(bus, command, principal)


@router.post(
    "/jobs/{ticket_id}/resolve",
    tags=TAGS,
    response_model=s.JobOut,
    summary="Resolve with a service report and sign-off",
)
async def resolve(ticket_id: str, body: s.ServiceReport, bus: BusDep, principal: FieldTech) -> dict:
    command = ResolveJob(
        **_step(ticket_id, body, principal),
        cause=body.cause,
        fix=body.fix,
        fault_code=body.fault_code,
        parts_used=tuple(body.parts_used),
        minutes_spent=body.minutes_spent,
        signed_by=body.signed_by,
        satisfaction=body.satisfaction,
    )
    return await _run(bus, command, principal)


@router.post(
    "/jobs/{ticket_id}/on-site-required",
    tags=TAGS,
    response_model=s.JobOut,
    summary="Remote work did not resolve it",
)
async def on_site_required(ticket_id: str, body: s.OnSiteNeeded, bus: BusDep, principal: FieldTech) -> dict:
    command = RequireOnSiteVisit(**_step(ticket_id, body, principal), reason=body.reason)
    return await _run(bus, command, principal)
