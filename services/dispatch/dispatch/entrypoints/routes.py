"""Dispatch HTTP: technicians, the roster, jobs, manual assignment and the technician app's field API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy import select

from dispatch.adapters.documents import RosterDoc
from dispatch.adapters.tables import jobs
from dispatch.domain.job import Job
from dispatch.entrypoints import schemas as s
from dispatch.service_layer.dispatcher import Dispatcher, JobNotFound
from dispatch.service_layer.maintenance import ScheduleDoc
from dispatch.service_layer.technicians import TechnicianService
from shared import idempotency
from shared.auth import Allow, Principal, Role
from shared.http.context import event_metadata
from shared.http.problems import Problem

router = APIRouter()
Admin = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN))]
Office = Annotated[Principal, Depends(Allow(Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN))]
Assigner = Annotated[Principal, Depends(Allow(Role.DISPATCHER, Role.SUPERVISOR))]
Planner = Annotated[Principal, Depends(Allow(Role.DISPATCHER, Role.OPS_ADMIN))]
Field = Annotated[Principal, Depends(Allow(Role.TECHNICIAN))]
JobReader = Annotated[
    Principal, Depends(Allow(Role.TECHNICIAN, Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN))
]


def _dispatcher(request: Request) -> Dispatcher:
    return request.app.state.dispatcher


def _technicians(request: Request) -> TechnicianService:
    return request.app.state.technicians


# ---- technicians and roster --------------------------------------------------------------------
@router.post("/technicians", status_code=status.HTTP_201_CREATED, tags=["technicians"])
async def register_technician(body: s.TechnicianIn, request: Request, principal: Admin) -> dict[str, Any]:
    return await _technicians(request).register(**body.model_dump(), metadata=event_metadata(principal))


@router.put("/technicians/{technician_id}", tags=["technicians"])
async def update_technician(
    technician_id: str, body: s.TechnicianUpdate, request: Request, principal: Admin
) -> dict[str, Any]:
    return await _technicians(request).change(
        technician_id, lambda t, now: t.update(**body.model_dump(), now=now), event_metadata(principal)
    )


@router.post("/technicians/{technician_id}/status", tags=["technicians"])
async def set_status(
    technician_id: str, body: s.StatusIn, request: Request, principal: Office
) -> dict[str, Any]:
    return await _technicians(request).change(
        technician_id, lambda t, now: t.set_status(body.status, now), event_metadata(principal)
    )


@router.get(
    "/technicians",
    tags=["technicians"],
    summary="Technicians; `on_shift=true&region=R&skill=S` answers who is on shift now in R with S",
)
async def list_technicians(
    request: Request,
    _: Office,
    region: str | None = None,
    skill: str | None = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
    on_shift: bool = False,
) -> list[dict[str, Any]]:
    return await _technicians(request).list(region=region, skill=skill, level=level, on_shift_only=on_shift)


@router.put("/roster", tags=["roster"], summary="Shifts, on-call rotation (two groups alternating) and leave")
async def put_roster(body: RosterDoc, request: Request, _: Admin) -> dict[str, Any]:
    document = body.model_dump(mode="json")
    await request.app.state.directory.save_roster(document)
    return document


@router.get("/roster", tags=["roster"])
async def get_roster(request: Request, _: Office) -> dict[str, Any]:
    document = await request.app.state.directory.roster_document()
    if document is None:
        raise Problem(
            404, "No roster yet: every active technician counts as on shift", type_="/problems/not-found"
        )
    return document


# ---- jobs ----------------------------------------------------------------------------------------
@router.get(
    "/jobs", tags=["jobs"], summary="Jobs; a technician sees only their own; `queued=true` is the queue"
)
async def list_jobs(
    request: Request,
    principal: JobReader,
    technician_id: str | None = None,
    queued: bool | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    if principal.is_only_technician:
        technician_id = principal.acting_technician
    query = select(jobs).order_by(jobs.c.opened_at).limit(limit)
    if principal.regional_scope is not None:
        query = query.where(jobs.c.region == principal.regional_scope)
    if technician_id:
        query = query.where(jobs.c.technician_id == technician_id)
    if queued is not None:
        query = query.where(jobs.c.queued == queued)
    if status_:
        query = query.where(jobs.c.status == status_)
    async with request.app.state.runtime.engine.connect() as conn:
        rows = [dict(r) for r in (await conn.execute(query)).mappings()]
    for row in rows:
        row["opened_at"], row["updated_at"] = row["opened_at"].isoformat(), row["updated_at"].isoformat()
    return rows


@router.get("/jobs/{ticket_id}", tags=["jobs"])
async def get_job(ticket_id: str, request: Request, principal: JobReader) -> dict[str, Any]:
    document = await _dispatcher(request).job(ticket_id)
    if principal.is_only_technician and document["technician_id"] != principal.acting_technician:
        raise JobNotFound(ticket_id)
    if principal.regional_scope is not None and document["region"] != principal.regional_scope:
        raise JobNotFound(ticket_id)
    return document


@router.post(
    "/jobs/{ticket_id}/assign", tags=["jobs"], summary="Manual assignment or reassignment, with a reason"
)
async def assign(ticket_id: str, body: s.AssignIn, request: Request, principal: Assigner) -> dict[str, Any]:
    return await _dispatcher(request).assign_manually(
        ticket_id, body.technician_id, body.reason, event_metadata(principal)
    )


# ---- the technician app --------------------------------------------------------------------------
class _ClientIdClaim:
    """A retried submission (same client id) gets the first answer and changes nothing."""

    def __init__(self, technician_id: str, body: s.FieldStep, step: str) -> None:
        self.scope = f"field {technician_id}"
        self.key = body.client_id
        self.fingerprint = idempotency.request_fingerprint({"step": step, **body.model_dump(mode="json")})

    async def __call__(self, conn) -> dict | None:
        stored = await idempotency.claim(conn, scope=self.scope, key=self.key, fingerprint=self.fingerprint)
        return None if stored is None else stored.body

    async def remember(self, conn, document: dict) -> None:
        await idempotency.remember(conn, scope=self.scope, key=self.key, status=200, body=document)


async def _field(
    request: Request,
    principal: Principal,
    ticket_id: str,
    body: s.FieldStep,
    step: Callable[..., None],
    *args: Any,
) -> dict[str, Any]:
    """A technician's submission: `step(job, me, occurred_at, *args, now=now)`, e.g. `Job.arrive`."""
    me = principal.acting_technician
    try:
        return await _dispatcher(request).field_step(
            ticket_id,
            me,
            lambda job, now: step(job, me, body.occurred_at, *args, now=now),
            event_metadata(principal),
            claim=_ClientIdClaim(me, body, step.__name__),
        )
    except idempotency.IdempotencyKeyReused:
        raise Problem(
            422,
            "client_id reused for a different submission",
            type_="/problems/idempotency-key-reused",
            field="client_id",
        ) from None


@router.post("/jobs/{ticket_id}/acknowledge", tags=["field"])
async def acknowledge(
    ticket_id: str, body: s.FieldStep, request: Request, principal: Field
) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.acknowledge)


@router.post("/jobs/{ticket_id}/remote-session", tags=["field"])
async def remote_started(
    ticket_id: str, body: s.FieldStep, request: Request, principal: Field
) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.start_remote)


@router.post("/jobs/{ticket_id}/remote-session/end", tags=["field"])
async def remote_ended(
    ticket_id: str, body: s.RemoteEnd, request: Request, principal: Field
) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.end_remote, body.resolved)


@router.post("/jobs/{ticket_id}/depart", tags=["field"])
async def depart(ticket_id: str, body: s.FieldStep, request: Request, principal: Field) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.depart)


@router.post("/jobs/{ticket_id}/arrive", tags=["field"])
async def arrive(ticket_id: str, body: s.FieldStep, request: Request, principal: Field) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.arrive)


@router.post("/jobs/{ticket_id}/diagnosis", tags=["field"])
async def diagnosis(ticket_id: str, body: s.Diagnosis, request: Request, principal: Field) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.diagnose, body.diagnosis, body.fault_code)


@router.post("/jobs/{ticket_id}/parts", tags=["field"])
async def request_parts(
    ticket_id: str, body: s.PartsRequest, request: Request, principal: Field
) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.request_parts, tuple(body.parts))


@router.post(
    "/jobs/{ticket_id}/resolve", tags=["field"], summary="Resolve with a service report and sign-off"
)
async def resolve(
    ticket_id: str, body: s.ServiceReport, request: Request, principal: Field
) -> dict[str, Any]:
    return await _field(
        request,
        principal,
        ticket_id,
        body,
        Job.resolve,
        body.cause,
        body.fix,
        body.fault_code,
        tuple(body.parts_used),
        body.minutes_spent,
        body.signed_by,
        body.satisfaction,
    )


@router.post("/jobs/{ticket_id}/on-site-required", tags=["field"], summary="Remote work did not resolve it")
async def on_site_required(
    ticket_id: str, body: s.OnSiteNeeded, request: Request, principal: Field
) -> dict[str, Any]:
    return await _field(request, principal, ticket_id, body, Job.require_on_site, body.reason)


# ---- preventive maintenance ------------------------------------------------------------------------
@router.post(
    "/maintenance/schedules",
    status_code=status.HTTP_201_CREATED,
    tags=["maintenance"],
    summary="A schedule per unit or contract; visits are generated a month ahead, assigned like tickets",
)
async def add_schedule(body: ScheduleDoc, request: Request, _: Planner) -> dict[str, Any]:
    return await request.app.state.maintenance.add_schedule(body)


@router.get("/maintenance/visits", tags=["maintenance"])
async def list_visits(
    request: Request,
    _: Office,
    status_: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    return await request.app.state.maintenance.list_visits(status=status_, limit=limit)


@router.post("/maintenance/visits/{visit_id}/complete", tags=["maintenance", "field"])
async def complete_visit(
    visit_id: str, body: s.VisitReport, request: Request, principal: Field
) -> dict[str, Any]:
    me = principal.acting_technician
    return await request.app.state.maintenance.complete(
        visit_id,
        me,
        report=body.report,
        minutes_spent=body.minutes_spent,
        signed_by=body.signed_by,
        occurred_at=body.occurred_at,
        metadata=event_metadata(principal),
    )
