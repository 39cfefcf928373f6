"""Policies and calendars for the hot path: read from their tables into memory, refreshed every
`ttl_s` (a write through this replica's unit of work reloads at once; other replicas see it within
`ttl_s`). Unknown ids fall back to the default policy and the 7x24 calendar for reads; a ticket that
opens naming an unknown id is not measured at all (`refusal`), never silently with the default."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from prometheus_client import Counter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.adapters.tables import calendars, policies
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.policy import Policy
from sla_monitor.domain.seeds import DEFAULT

ALWAYS = BusinessCalendar.always("7x24")
BUILT_IN = {"policy": "default", "calendar": "7x24"}  # protected: always there
UNMEASURED = Counter(
    "sla_tickets_unmeasured_total",
    "Tickets opened naming a policy or calendar the monitor does not know",
    ["kind"],
)
log = logging.getLogger(__name__)


class Catalog:
    def __init__(self, engine: Callable[[], AsyncEngine], ttl_s: float = 5.0) -> None:
        self._engine = engine
        self.ttl_s = ttl_s
        self._policies: dict[str, Policy] = {}
        self._calendars: dict[str, BusinessCalendar] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    async def reload(self) -> None:
        async with self._lock:
            async with self._engine().connect() as conn:
                policy_rows = (await conn.execute(select(policies.c.document))).scalars().all()
                calendar_rows = (await conn.execute(select(calendars.c.document))).scalars().all()
            self._policies = {d["policy_id"]: PolicyDoc.model_validate(d).to_domain() for d in policy_rows}
            self._calendars = {
                d["calendar_id"]: CalendarDoc.model_validate(d).to_domain() for d in calendar_rows
            }
            self._loaded_at = time.monotonic()

    async def fresh(self) -> None:
        if time.monotonic() - self._loaded_at > self.ttl_s:
            await self.reload()

    def policy(self, policy_id: str) -> Policy:
        return self._policies.get(policy_id) or self._policies.get("default") or DEFAULT

    def calendar(self, calendar_id: str) -> BusinessCalendar:
        return self._calendars.get(calendar_id) or ALWAYS

    def knows_policy(self, policy_id: str) -> bool:
        return policy_id in self._policies

    async def refusal(self, policy_id: str, calendar_id: str) -> str | None:
        """Why a ticket naming these ids cannot be measured (None: both known). Reloads once first: a
        policy saved on another replica a moment ago is not refused."""
        if self._unknown(policy_id, calendar_id):
            await self.reload()
        unknown = self._unknown(policy_id, calendar_id)
        if not unknown:
            return None
        for kind, _ in unknown:
            UNMEASURED.labels(kind).inc()
        reason = "; ".join(f"unknown {kind} {item_id!r}" for kind, item_id in unknown)
        log.warning(
            "ticket not measured: %s", reason, extra={"policy_id": policy_id, "calendar_id": calendar_id}
        )
        return reason

    def _unknown(self, policy_id: str, calendar_id: str) -> list[tuple[str, str]]:
        unknown = []
        if policy_id != BUILT_IN["policy"] and policy_id not in self._policies:
            unknown.append(("policy", policy_id))
        if calendar_id != BUILT_IN["calendar"] and calendar_id not in self._calendars:
            unknown.append(("calendar", calendar_id))
        return unknown
