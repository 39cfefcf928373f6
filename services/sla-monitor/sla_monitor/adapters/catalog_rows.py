"""Writes of policy and calendar documents, on the unit of work's transaction. The in-memory catalog
is reloaded by the unit of work after the commit (see `SlaUnitOfWork.commit`).

Each saved or seeded document is also published (`PolicyPublished` / `CalendarPublished`) on its own
stream ("sla-policy:<id>", "sla-calendar:<id>"), appended with the unit of work's other events, so
other services (intake) learn which ids exist. The stream's version tells whether an id was ever
published: seeding publishes what never was (a fresh database, or one seeded before publishing
existed) and nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from shared.eventstore.store import StreamAppend
from shared.eventstore.tables import events
from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.adapters.tables import calendars, policies
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.policy import Policy


class _Documents:
    table: Table
    key: str
    stream_type: str

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self.changed = False
        self._appends: list[StreamAppend] = []

    async def publish(self, item_id: str, event: Any) -> None:
        """Append the published event at commit (after the stream's current version)."""
        stream = f"{self.stream_type}:{item_id}"
        version = await self._version(stream) + sum(1 for a in self._appends if a.stream_id == stream)
        self._appends.append(
            StreamAppend(stream, self.stream_type, version, [event], self._uow.metadata, item_id)
        )

    async def ever_announced(self, item_id: str) -> bool:
        return await self._version(f"{self.stream_type}:{item_id}") > 0

    async def _version(self, stream: str) -> int:
        found = await self._uow.conn.execute(
            select(func.coalesce(func.max(events.c.version), 0)).where(events.c.stream_id == stream)
        )
        return int(found.scalar_one())

    def collect_appends(self) -> list[StreamAppend]:
        appends, self._appends = self._appends, []
        return appends

    async def put(self, item_id: str, document: Mapping[str, Any]) -> bool:
        """Create or replace; True when it was created."""
        column = self.table.c[self.key]
        conn = self._uow.conn
        existed = (await conn.execute(select(column).where(column == item_id).with_for_update())).first()
        await conn.execute(
            insert(self.table)
            .values({self.key: item_id, "document": dict(document)})
            .on_conflict_do_update(
                index_elements=[column], set_={"document": dict(document), "updated_at": func.now()}
            )
        )
        self.changed = True
        return existed is None

    async def _add_missing(self, item_id: str, document: Mapping[str, Any]) -> None:
        await self._uow.conn.execute(
            insert(self.table)
            .values({self.key: item_id, "document": dict(document)})
            .on_conflict_do_nothing()
        )
        self.changed = True

    async def remove(self, item_id: str) -> bool:
        result = await self._uow.conn.execute(delete(self.table).where(self.table.c[self.key] == item_id))
        self.changed = True
        return bool(result.rowcount)


class PolicyDocuments(_Documents):
    table, key, stream_type = policies, "policy_id", "sla-policy"

    async def add_missing(self, policy: Policy) -> None:
        await self._add_missing(policy.policy_id, PolicyDoc.from_domain(policy).model_dump(mode="json"))


class CalendarDocuments(_Documents):
    table, key, stream_type = calendars, "calendar_id", "sla-calendar"

    async def add_missing(self, calendar: BusinessCalendar) -> None:
        await self._add_missing(
            calendar.calendar_id, CalendarDoc.from_domain(calendar).model_dump(mode="json")
        )
