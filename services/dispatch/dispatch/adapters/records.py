"""Dispatch's state that is not event-sourced: maintenance schedules, the roster document, and the
technician app's submission ids (a retried submission gets its first answer). Written on the unit of
work's connection, so they commit with the command's events."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from dispatch.adapters.directory import ROSTER_ID
from dispatch.adapters.tables import maintenance_schedules, rosters
from dispatch.domain.errors import ClientIdReused
from shared import idempotency
from shared.unit_of_work import SqlUnitOfWork


class Schedules:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def add(self, schedule_id: str, document: dict[str, Any]) -> bool:
        """False when a schedule of that id exists."""
        inserted = await self._uow.conn.execute(
            insert(maintenance_schedules)
            .values(schedule_id=schedule_id, document=document)
            .on_conflict_do_nothing()
            .returning(maintenance_schedules.c.schedule_id)
        )
        return inserted.first() is not None

    async def all(self) -> list[dict[str, Any]]:
        return list((await self._uow.conn.execute(select(maintenance_schedules.c.document))).scalars())

    async def get(self, schedule_id: str) -> dict[str, Any] | None:
        query = select(maintenance_schedules.c.document).where(
            maintenance_schedules.c.schedule_id == schedule_id
        )
        return (await self._uow.conn.execute(query)).scalar()


class Rosters:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def save(self, document: dict[str, Any]) -> None:
        statement = insert(rosters).values(roster_id=ROSTER_ID, document=document)
        await self._uow.conn.execute(
            statement.on_conflict_do_update(index_elements=[rosters.c.roster_id], set_={"document": document})
        )


class FieldClaims:
    """Each technician app submission carries a client id: the first answer is kept for its retries."""

    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def claim(self, technician_id: str, client_id: str, submission: Any) -> dict[str, Any] | None:
        """The stored answer of a retry (None for a new submission); ClientIdReused if it differs."""
        fingerprint = idempotency.request_fingerprint(
            {"step": type(submission).__name__, **asdict(submission)}
        )
        try:
            stored = await idempotency.claim(
                self._uow.conn, scope=_scope(technician_id), key=client_id, fingerprint=fingerprint
            )
        except idempotency.IdempotencyKeyReused:
            raise ClientIdReused() from None
        return None if stored is None else stored.body

    async def remember(self, technician_id: str, client_id: str, answer: dict[str, Any]) -> None:
        await idempotency.remember(
            self._uow.conn, scope=_scope(technician_id), key=client_id, status=200, body=answer
        )


def _scope(technician_id: str) -> str:
    return f"field {technician_id}"
