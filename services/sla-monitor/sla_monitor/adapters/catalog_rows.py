"""Writes of policy and calendar documents, on the unit of work's transaction. The in-memory catalog
is reloaded by the unit of work after the commit (see `SlaUnitOfWork.commit`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, delete, func, select
from sqlalchemy.dialects.postgresql import insert

from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.adapters.tables import calendars, policies
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.policy import Policy


class _Documents:
    table: Table
    key: str

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow
        self.changed = False

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
    table, key = policies, "policy_id"

    async def add_missing(self, policy: Policy) -> None:
        await self._add_missing(policy.policy_id, PolicyDoc.from_domain(policy).model_dump(mode="json"))


class CalendarDocuments(_Documents):
    table, key = calendars, "calendar_id"

    async def add_missing(self, calendar: BusinessCalendar) -> None:
        await self._add_missing(
            calendar.calendar_id, CalendarDoc.from_domain(calendar).model_dump(mode="json")
        )
