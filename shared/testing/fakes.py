"""In-memory twin of the unit of work, for service-layer unit tests without I/O (cosmicpython style).

    streams = InMemoryStreams()
    bus = MessageBus(lambda metadata, conn: MyFakeUow(streams, metadata), HANDLERS)
    await bus.handle(OpenTicket(...))
    assert [type(e) for e in streams.events("t-1")] == [TicketOpened]

Version checks are the same as the database's: a stale writer gets ConcurrencyConflict. A service's
fake subclasses `InMemoryUnitOfWork` and adds its repositories and in-memory adapters.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from shared.envelope import EventMetadata
from shared.errors import ConcurrencyConflict
from shared.unit_of_work import UnitOfWork


class InMemoryStreams:
    def __init__(self) -> None:
        self._streams: dict[str, list[Any]] = defaultdict(list)
        self.appended: list[tuple[str, Any, EventMetadata]] = []  # (stream id, event, metadata), in order

    def events(self, stream_id: str) -> list[Any]:
        return list(self._streams.get(stream_id, ()))

    def all_events(self) -> list[Any]:
        return [event for _, event, _ in self.appended]


class InMemoryUnitOfWork(UnitOfWork):
    def __init__(self, streams: InMemoryStreams, metadata: EventMetadata | None = None) -> None:
        super().__init__(metadata)
        self.streams = streams
        self.commits = 0

    async def read_stream(self, stream_id: str, *, as_of: datetime | None = None) -> list[Any]:
        events = self.streams.events(stream_id)
        if as_of is not None:
            events = [e for e in events if getattr(e, "occurred_at", as_of) <= as_of]
        return events

    async def flush(self) -> list[Any]:
        appends = self.pending_appends()
        for append in appends:  # check every stream first: all or nothing, like the one statement
            if len(self.streams.events(append.stream_id)) != append.expected_version:
                raise ConcurrencyConflict(append.stream_id, append.expected_version)
        for append in appends:
            for event in append.new_events:
                self.streams._streams[append.stream_id].append(event)
                self.streams.appended.append((append.stream_id, event, append.metadata))
        return []

    async def commit(self) -> None:
        await self.flush()
        self.commits += 1
