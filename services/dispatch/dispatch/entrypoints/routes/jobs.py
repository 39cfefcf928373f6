"""Jobs: the list (a technician sees their own; `queued=true` is the queue), one job, manual assignment."""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from fastapi import APIRouter, Query

from dispatch.domain.commands import AssignJob
from dispatch.entrypoints import schemas as s
from dispatch.entrypoints.dependencies import Assigner, BusDep, JobReader, ViewsDep
from shared.auth import Principal
from shared.http.context import event_metadata

router = APIRouter()
TAGS: list[str | Enum] = ["jobs"]


def _own(principal: Principal) -> str | None:
    return principal.acting_technician if principal.is_only_technician else None


@router.get(
    "/jobs",
    tags=TAGS,
    response_model=list[s.JobRowOut],
    summary="Jobs; a technician sees only their own; `queued=true` is the queue",
)
async def list_jobs(
    views: ViewsDep,
    principal: JobReader,
    technician_id: str | None = None,
    queued: bool | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict]:
    return await views.jobs(
        technician_id=_own(principal) or technician_id,
        region=principal.regional_scope,
        queued=queued,
        status=status_,
        limit=limit,
    )


@router.get("/jobs/{ticket_id}", tags=TAGS, response_model=s.JobOut)
async def get_job(ticket_id: str, views: ViewsDep, principal: JobReader) -> dict:
    return await views.job(ticket_id, technician_id=_own(principal), region=principal.regional_scope)


@router.post(
    "/jobs/{ticket_id}/assign",
    tags=TAGS,
    response_model=s.JobOut,
    summary="Manual assignment or reassignment, with a reason",
)
async def assign(ticket_id: str, body: s.AssignIn, bus: BusDep, views: ViewsDep, principal: Assigner) -> dict:
    command = AssignJob(ticket_id=ticket_id, technician_id=body.technician_id, reason=body.reason)
    await bus.handle(command, metadata=event_metadata(principal))
    return await views.job(ticket_id)
