"""The only write path: one unit of work per command, on its own transaction or on a consumer's.

Repositories (one per aggregate, in each service's `adapters/`) load aggregates through the unit of
work, which remembers every aggregate it handed out or was given. `commit()` collects what they
recorded, appends it to their streams with the expected versions and their outbox rows (one
statement, which also NOTIFYs the relay: that is how the relay wakes, whoever wrote), runs the
service's projections on the same connection, and commits. Nobody clears `pending_events` by hand
and nobody appends around it.

`SqlUnitOfWork(engine=...)` owns its transaction; `SqlUnitOfWork(conn=...)` joins one that someone
else commits (the consumer's, with its processed-events rows; a group commit's). The in-memory twin
for service-layer unit tests is `shared.testing.fakes.InMemoryUnitOfWork`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from shared.aggregate import Aggregate
from shared.commit_outcome import committing
from shared.envelope import Envelope, EventMetadata
from shared.errors import ConcurrencyConflict
from shared.eventstore.store import EventStore, StreamAppend

log = logging.getLogger(__name__)
T = TypeVar("T")

Projection = Callable[[AsyncConnection, Sequence[Envelope], Sequence[Any]], Awaitable[None]]
"""Updates read tables from events just appended (same transaction): (conn, envelopes, events)."""


@dataclass
class _Tracked:
    aggregate: Aggregate
    stream_id: str
    stream_type: str
    key: str | None


class UnitOfWork:
    """What every unit of work does: track aggregates, turn what they recorded into stream appends."""

    def __init__(self, metadata: EventMetadata | None = None) -> None:
        self.metadata = metadata or EventMetadata()
        self._tracked: dict[str, _Tracked] = {}
        self.committed: list[Envelope] = []  # what this unit of work wrote, in order

    def track(self, aggregate: Aggregate, *, stream_id: str, stream_type: str, key: str | None) -> None:
        known = self._tracked.get(stream_id)
        if known is not None and known.aggregate is not aggregate:
            raise ValueError(f"stream {stream_id} is already tracked with another instance")
        self._tracked[stream_id] = _Tracked(aggregate, stream_id, stream_type, key)

    def tracked(self, stream_id: str) -> Aggregate | None:
        known = self._tracked.get(stream_id)
        return known.aggregate if known else None

    def pending_appends(self) -> list[StreamAppend]:
        """The new events of every tracked aggregate, collected (each aggregate hands them over once)."""
        appends = []
        for tracked in self._tracked.values():
            expected = tracked.aggregate.stored_version
            new_events = tracked.aggregate.collect_events()
            if new_events:
                appends.append(
                    StreamAppend(
                        tracked.stream_id,
                        tracked.stream_type,
                        expected,
                        new_events,
                        self.metadata,
                        tracked.key,
                    )
                )
        return appends

    async def read_stream(self, stream_id: str, *, as_of: datetime | None = None) -> list[Any]:
        raise NotImplementedError

    async def flush(self) -> list[Envelope]:
        raise NotImplementedError

    async def commit(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


class SqlUnitOfWork(UnitOfWork):
    def __init__(
        self,
        store: EventStore,
        *,
        engine: AsyncEngine | None = None,
        conn: AsyncConnection | None = None,
        metadata: EventMetadata | None = None,
        projections: Sequence[Projection] = (),
    ) -> None:
        if (engine is None) == (conn is None):
            raise ValueError("a unit of work needs either an engine (own transaction) or a connection")
        super().__init__(metadata)
        self.store = store
        self._engine = engine
        self._joined = conn
        self._conn: AsyncConnection | None = conn
        self._tx: AsyncTransaction | None = None
        self._projections = projections

    @property
    def conn(self) -> AsyncConnection:
        """For the service's adapters (repositories, read tables, timers); never for routes or handlers."""
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        return self._conn

    async def __aenter__(self) -> Self:
        if self._engine is not None:
            self._conn = await self._engine.connect()
            self._tx = await self._conn.begin()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._joined is not None:
            return  # the owner of the transaction decides
        try:
            if self._tx is not None and self._tx.is_active:
                await self._tx.rollback()
        except Exception:
            if exc is None:
                raise
            # The connection is gone (the error being raised says so): the server rolls back without
            # us, and the caller must see the original error, not this one.
            log.warning("could not roll back the unit of work", exc_info=True)
        finally:
            if self._conn is not None:
                await self._conn.close()

    async def read_stream(self, stream_id: str, *, as_of: datetime | None = None) -> list[Any]:
        return await self.store.load_events(self.conn, stream_id, as_of=as_of)

    async def flush(self) -> list[Envelope]:
        """Append what the tracked aggregates recorded and project it; the transaction stays open."""
        appends = self.pending_appends()
        if not appends:
            return []
        written = await self.store.append_many(self.conn, appends)
        envelopes = [envelope for batch in written for envelope in batch]
        events = [event for append in appends for event in append.new_events]
        for project in self._projections:
            await project(self.conn, envelopes, events)
        self.committed.extend(envelopes)
        return envelopes

    async def commit(self) -> None:
        """Flush and, on its own transaction, COMMIT. A COMMIT whose answer was lost (the connection
        gone while it was in flight) may have been applied: `CommitOutcomeUnknown`, never a generic
        error that invites a blind re-run (shared.commit_outcome)."""
        await self.flush()
        if self._tx is not None:
            with committing():
                await self._tx.commit()

    @staticmethod
    async def flush_together(uows: Sequence[SqlUnitOfWork]) -> None:
        """Units of work joined to one connection (a group commit's): one append statement for all."""
        if not uows:
            return
        batches = [uow.pending_appends() for uow in uows]
        flat = [append for batch in batches for append in batch]
        if not flat:
            return
        written = iter(await uows[0].store.append_many(uows[0].conn, flat))
        for uow, appends in zip(uows, batches, strict=True):
            envelopes = [envelope for _ in appends for envelope in next(written)]
            events = [event for append in appends for event in append.new_events]
            for project in uow._projections:
                await project(uow.conn, envelopes, events)
            uow.committed.extend(envelopes)


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
