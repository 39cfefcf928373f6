"""SLA monitor HTTP: policies and calendars as data, the per-ticket explanation, what-if replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.auth import Allow, Principal, Role
from shared.domain_errors import NotFound
from shared.http.problems import Problem
from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.adapters.tables import calendars, policies
from sla_monitor.service_layer.catalog import PROTECTED, Catalog
from sla_monitor.service_layer.explain import explain
from sla_monitor.service_layer.what_if import what_if

router = APIRouter()
Admin = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN))]
Office = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN, Role.SUPERVISOR, Role.DISPATCHER))]
Planner = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN, Role.SUPERVISOR))]
MAX_WHAT_IF_RANGE = timedelta(days=366)


def _catalog(request: Request) -> Catalog:
    return request.app.state.catalog


def _same_id(path_id: str, body_id: str, field: str) -> None:
    if path_id != body_id:
        raise Problem(
            422, f"{field} in the body differs from the path", type_="/problems/validation", field=field
        )


@router.get("/policies", tags=["policies"])
async def list_policies(request: Request, _: Office) -> list[dict[str, Any]]:
    return await _catalog(request).documents(policies)


@router.get("/policies/{policy_id}", tags=["policies"])
async def get_policy(policy_id: str, request: Request, _: Office) -> dict[str, Any]:
    document = await _catalog(request).document(policies, policy_id)
    if document is None:
        raise NotFound("policy", policy_id, field="policy_id")
    return document


@router.put(
    "/policies/{policy_id}", tags=["policies"], summary="Create or replace a policy (durations ISO 8601)"
)
async def put_policy(
    policy_id: str, body: PolicyDoc, request: Request, response: Response, _: Admin
) -> dict[str, Any]:
    _same_id(policy_id, body.policy_id, "policy_id")
    try:
        body.to_domain()
    except ValueError as exc:
        raise Problem(
            422, "Invalid policy", str(exc), type_="/problems/validation", field="targets"
        ) from None
    document = body.model_dump(mode="json")
    if await _catalog(request).put(policies, policy_id, document):
        response.status_code = status.HTTP_201_CREATED
    return document


@router.delete("/policies/{policy_id}", tags=["policies"], status_code=204)
async def delete_policy(policy_id: str, request: Request, _: Admin) -> Response:
    if policy_id in PROTECTED:
        raise Problem(
            409, "The default policy cannot be deleted", type_="/problems/protected", field="policy_id"
        )
    if not await _catalog(request).delete(policies, policy_id):
        raise NotFound("policy", policy_id, field="policy_id")
    return Response(status_code=204)


@router.get("/calendars", tags=["calendars"])
async def list_calendars(request: Request, _: Office) -> list[dict[str, Any]]:
    return await _catalog(request).documents(calendars)


@router.get("/calendars/{calendar_id}", tags=["calendars"])
async def get_calendar(calendar_id: str, request: Request, _: Office) -> dict[str, Any]:
    document = await _catalog(request).document(calendars, calendar_id)
    if document is None:
        raise NotFound("calendar", calendar_id, field="calendar_id")
    return document


@router.put(
    "/calendars/{calendar_id}",
    tags=["calendars"],
    summary="Create or replace a calendar: working hours, holidays, make-up working days, time zone",
)
async def put_calendar(
    calendar_id: str, body: CalendarDoc, request: Request, response: Response, _: Admin
) -> dict[str, Any]:
    _same_id(calendar_id, body.calendar_id, "calendar_id")
    document = body.model_dump(mode="json")
    if await _catalog(request).put(calendars, calendar_id, document):
        response.status_code = status.HTTP_201_CREATED
    return document


@router.delete("/calendars/{calendar_id}", tags=["calendars"], status_code=204)
async def delete_calendar(calendar_id: str, request: Request, _: Admin) -> Response:
    if calendar_id in PROTECTED:
        raise Problem(
            409, "The 7x24 calendar cannot be deleted", type_="/problems/protected", field="calendar_id"
        )
    if not await _catalog(request).delete(calendars, calendar_id):
        raise NotFound("calendar", calendar_id, field="calendar_id")
    return Response(status_code=204)


@router.get(
    "/tickets/{ticket_id}/sla",
    tags=["clocks"],
    summary="Each clock: deadline, elapsed business time, pauses, thresholds, and what moved it",
)
async def ticket_sla(ticket_id: str, request: Request, _: Office) -> dict[str, Any]:
    answer = await explain(request.app.state.runtime, _catalog(request), ticket_id, datetime.now(UTC))
    if answer is None:
        raise NotFound("ticket clocks", ticket_id, field="ticket_id")
    return answer


class WhatIfIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: AwareDatetime = Field(alias="from")
    end: AwareDatetime = Field(alias="to")
    policy_id: str | None = None
    policy: PolicyDoc | None = None

    @model_validator(mode="after")
    def _one_policy(self) -> WhatIfIn:
        if (self.policy_id is None) == (self.policy is None):
            raise ValueError("give either policy_id or policy")
        if self.end <= self.start:
            raise ValueError("'to' must be after 'from'")
        if self.end - self.start > MAX_WHAT_IF_RANGE:
            raise ValueError("the range is at most 366 days")
        return self


@router.post(
    "/what-if",
    tags=["clocks"],
    summary="Replay stored ticket events of a time range against another policy (emits nothing)",
)
async def run_what_if(body: WhatIfIn, request: Request, _: Planner) -> dict[str, Any]:
    catalog = _catalog(request)
    if body.policy is not None:
        policy = body.policy.to_domain()
    elif catalog.knows_policy(body.policy_id or ""):
        policy = catalog.policy(body.policy_id or "")
    else:
        raise NotFound("policy", body.policy_id or "", field="policy_id")
    return await what_if(request.app.state.runtime, catalog, policy, body.start, body.end)
