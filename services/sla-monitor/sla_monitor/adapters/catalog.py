"""Policies and calendars for the hot path: read from their tables into memory, refreshed every
`ttl_s` (a write through this replica's unit of work reloads at once; other replicas see it within
`ttl_s`). Unknown ids fall back to the default policy and the 7x24 calendar."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.adapters.tables import calendars, policies
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.policy import Policy
from sla_monitor.domain.seeds import DEFAULT

ALWAYS = BusinessCalendar.always("7x24")


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
