"""Policies and calendars: stored as documents, seeded on first start, cached for the hot path.

Each one saved is published (`PolicyPublished` / `CalendarPublished`, through the outbox in the same
transaction), and every one stored is published again at each start: intake refuses contracts and
tickets naming a policy or calendar it has not seen published.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.envelope import EventMetadata
from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.adapters.tables import calendars, policies
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.events import CalendarPublished, PolicyPublished
from sla_monitor.domain.policy import Policy
from sla_monitor.domain.seeds import DEFAULT, SEED_CALENDARS, SEED_POLICIES

ALWAYS = BusinessCalendar.always("7x24")
PROTECTED = frozenset({"default", "7x24"})


class Catalog:
    """Reads are served from memory; a write here is seen at once, other replicas within `ttl_s`."""

    def __init__(
        self,
        engine: Callable[[], AsyncEngine],
        ttl_s: float = 5.0,
        store: Callable[[], Any] | None = None,
    ) -> None:
        self._engine = engine
        self._store = store
        self.ttl_s = ttl_s
        self._policies: dict[str, Policy] = {}
        self._calendars: dict[str, BusinessCalendar] = {}
        self._loaded_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def engine(self) -> AsyncEngine:
        return self._engine()

    async def seed(self) -> None:
        async with self.engine.begin() as conn:
            for policy in SEED_POLICIES:
                doc = PolicyDoc.from_domain(policy).model_dump(mode="json")
                await conn.execute(
                    insert(policies).values(policy_id=policy.policy_id, document=doc).on_conflict_do_nothing()
                )
            for calendar in SEED_CALENDARS:
                doc = CalendarDoc.from_domain(calendar).model_dump(mode="json")
                await conn.execute(
                    insert(calendars)
                    .values(calendar_id=calendar.calendar_id, document=doc)
                    .on_conflict_do_nothing()
                )
            for table in (policies, calendars):
                for document in (await conn.execute(select(table.c.document))).scalars():
                    await self._publish(conn, table, document)
        await self.reload()

    async def _publish(self, conn: AsyncConnection, table, document: dict) -> None:
        """One publication (its own one-event stream, keyed by the policy or calendar id)."""
        if self._store is None:
            return
        now = datetime.now(UTC)
        event: PolicyPublished | CalendarPublished
        if table is policies:
            key = document["policy_id"]
            event = PolicyPublished(policy_id=key, name=document.get("name", ""), occurred_at=now)
        else:
            key = document["calendar_id"]
            event = CalendarPublished(calendar_id=key, occurred_at=now)
        await self._store().append(
            conn,
            stream_id=f"catalog-{uuid.uuid4()}",
            stream_type="sla-catalog",
            expected_version=0,
            new_events=[event],
            metadata=EventMetadata(actor="sla-monitor"),
            key=key,
        )

    async def reload(self) -> None:
        async with self._lock:
            async with self.engine.connect() as conn:
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

    def knows_calendar(self, calendar_id: str) -> bool:
        return calendar_id in self._calendars

    # ---- administration ------------------------------------------------------------------------
    async def documents(self, table) -> list[dict]:
        async with self.engine.connect() as conn:
            key = table.c.policy_id if table is policies else table.c.calendar_id
            return list((await conn.execute(select(table.c.document).order_by(key))).scalars())

    async def document(self, table, item_id: str) -> dict | None:
        key = table.c.policy_id if table is policies else table.c.calendar_id
        async with self.engine.connect() as conn:
            return (await conn.execute(select(table.c.document).where(key == item_id))).scalar_one_or_none()

    async def put(self, table, item_id: str, document: dict) -> bool:
        """Create or replace; True when it was created."""
        key_name = "policy_id" if table is policies else "calendar_id"
        async with self.engine.begin() as conn:
            existed = (
                await conn.execute(
                    select(table.c[key_name]).where(table.c[key_name] == item_id).with_for_update()
                )
            ).first() is not None
            statement = insert(table).values({key_name: item_id, "document": document})
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[table.c[key_name]], set_={"document": document, "updated_at": func.now()}
                )
            )
            await self._publish(conn, table, document)
        created = not existed
        await self.reload()
        return created

    async def delete(self, table, item_id: str) -> bool:
        key = table.c.policy_id if table is policies else table.c.calendar_id
        async with self.engine.begin() as conn:
            deleted = (await conn.execute(delete(table).where(key == item_id))).rowcount
        await self.reload()
        return bool(deleted)
