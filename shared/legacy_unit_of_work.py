"""TRANSITIONAL: the unit of work before shared.unit_of_work; deleted once no service uses it.

One transaction around a command: load aggregates, append their new events (and outbox rows), commit.

Aggregates follow the house convention (docs/domain-conventions.md): `pending_events`, `version`
and a `replay(events)` classmethod.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from shared.envelope import Envelope, EventMetadata
from shared.errors import ConcurrencyConflict
from shared.eventstore.store import EventStore


class Aggregate(Protocol):
    version: int
    pending_events: list[Any]

    @classmethod
    def replay(cls, events: list[Any]) -> Any: ...


A = TypeVar("A")
T = TypeVar("T")


class UnitOfWork:
    def __init__(
        self, engine: AsyncEngine, store: EventStore, on_commit: Callable[[], None] | None = None
    ) -> None:
        self.engine = engine
        self.store = store
        self.on_commit = on_commit
        self.conn: AsyncConnection
        self._tx: AsyncTransaction | None = None
        self.published: list[Envelope] = []

    async def __aenter__(self) -> UnitOfWork:
        self.conn = await self.engine.connect()
        self._tx = await self.conn.begin()
        return self

    async def __aexit__(self, exc_type, exc, tb) -> None:
        try:
            if self._tx is not None and self._tx.is_active:
                await self._tx.rollback()
        finally:
            await self.conn.close()

    async def commit(self) -> None:
        assert self._tx is not None
        await self._tx.commit()
        if self.on_commit is not None and self.published:
            self.on_commit()

    async def load(
        self, aggregate_cls: type[A], stream_id: str, *, as_of: datetime | None = None
    ) -> A | None:
        history = await self.store.load_events(self.conn, stream_id, as_of=as_of)
        if not history:
            return None
        return aggregate_cls.replay(history)  # type: ignore[attr-defined]

    async def save(
        self,
        aggregate: Aggregate,
        *,
        stream_id: str,
        stream_type: str,
        metadata: EventMetadata,
        key: str | None = None,
    ) -> list[Envelope]:
        new_events = list(aggregate.pending_events)
        expected = aggregate.version - len(new_events)
        envelopes = await self.store.append(
            self.conn,
            stream_id=stream_id,
            stream_type=stream_type,
            expected_version=expected,
            new_events=new_events,
            metadata=metadata,
            key=key,
        )
        aggregate.pending_events.clear()
        self.published.extend(envelopes)
        return envelopes


UnitOfWorkFactory = Callable[[], UnitOfWork]


async def retry_on_conflict(
    work: Callable[[], Awaitable[T]], *, attempts: int = 5, backoff_s: float = 0.005
) -> T:
    """Re-run a whole command when another writer won the race for the same stream version."""
    for attempt in range(1, attempts + 1):
        try:
            return await work()
        except ConcurrencyConflict:
            if attempt == attempts:
                raise
            await asyncio.sleep(backoff_s * attempt)
    raise AssertionError("unreachable")
