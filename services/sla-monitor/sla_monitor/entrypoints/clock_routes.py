"""A ticket's clocks explained, and what-if replays of stored inputs against another policy."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from sla_monitor.entrypoints.dependencies import Office, Planner, ReaderDep, TicketId
from sla_monitor.entrypoints.schemas import TicketSlaOut, WhatIfIn, WhatIfOut
from sla_monitor.views import clocks, what_if

router = APIRouter()


@router.get(
    "/tickets/{ticket_id}/sla",
    tags=["clocks"],
    summary="Each clock: deadline, elapsed business time, pauses, thresholds, and what moved it",
    response_model=TicketSlaOut,
)
async def ticket_sla(ticket_id: TicketId, reader: ReaderDep, _: Office) -> dict:
    return await clocks.explain(reader, ticket_id, datetime.now(UTC))


@router.post(
    "/what-if",
    tags=["clocks"],
    summary="Replay stored ticket events of a time range against another policy (emits nothing)",
    response_model=WhatIfOut,
)
async def run_what_if(body: WhatIfIn, reader: ReaderDep, _: Planner) -> dict:
    policy = what_if.candidate(reader, body.policy_id, body.policy)
    return await what_if.what_if(reader, policy, body.start, body.end)
