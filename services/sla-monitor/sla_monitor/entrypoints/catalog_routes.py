"""Policies and calendars as data: list, read, create or replace, delete."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from sla_monitor.domain.commands import DeleteCalendar, DeletePolicy
from sla_monitor.entrypoints.dependencies import Admin, BusDep, CalendarId, Office, PolicyId, ReaderDep
from sla_monitor.entrypoints.schemas import CalendarDoc, PolicyDoc, calendar_command, policy_command
from sla_monitor.views import catalog

router = APIRouter()


@router.get("/policies", tags=["policies"], response_model=list[PolicyDoc])
async def list_policies(reader: ReaderDep, _: Office) -> list[dict]:
    return await catalog.list_policies(reader)


@router.get("/policies/{policy_id}", tags=["policies"], response_model=PolicyDoc)
async def get_policy(policy_id: PolicyId, reader: ReaderDep, _: Office) -> dict:
    return await catalog.policy(reader, policy_id)


@router.put(
    "/policies/{policy_id}",
    tags=["policies"],
    summary="Create or replace a policy (durations ISO 8601)",
    responses={201: {"model": PolicyDoc, "description": "Created"}},
)
async def put_policy(
    policy_id: PolicyId, body: PolicyDoc, bus: BusDep, response: Response, _: Admin
) -> PolicyDoc:
    if await bus.handle(policy_command(policy_id, body)):
        response.status_code = status.HTTP_201_CREATED
    return body


@router.delete("/policies/{policy_id}", tags=["policies"], status_code=204)
async def delete_policy(policy_id: PolicyId, bus: BusDep, _: Admin) -> None:
    await bus.handle(DeletePolicy(policy_id=policy_id))


@router.get("/calendars", tags=["calendars"], response_model=list[CalendarDoc])
async def list_calendars(reader: ReaderDep, _: Office) -> list[dict]:
    return await catalog.list_calendars(reader)


@router.get("/calendars/{calendar_id}", tags=["calendars"], response_model=CalendarDoc)
async def get_calendar(calendar_id: CalendarId, reader: ReaderDep, _: Office) -> dict:
    return await catalog.calendar(reader, calendar_id)


@router.put(
    "/calendars/{calendar_id}",
    tags=["calendars"],
    summary="Create or replace a calendar: working hours, holidays, make-up working days, time zone",
    responses={201: {"model": CalendarDoc, "description": "Created"}},
)
async def put_calendar(
    calendar_id: CalendarId, body: CalendarDoc, bus: BusDep, response: Response, _: Admin
) -> CalendarDoc:
    if await bus.handle(calendar_command(calendar_id, body)):
        response.status_code = status.HTTP_201_CREATED
    return body


@router.delete("/calendars/{calendar_id}", tags=["calendars"], status_code=204)
async def delete_calendar(calendar_id: CalendarId, bus: BusDep, _: Admin) -> None:
    await bus.handle(DeleteCalendar(calendar_id=calendar_id))
