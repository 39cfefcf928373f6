"""Append-only event streams with optimistic concurrency; outbox rows written in the same transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import Envelope, EventMetadata
from shared.errors import ConcurrencyConflict
from shared.eventstore.tables import events, outbox
from shared.registry import EventRegistry

TopicRouter = Callable[[str], str | None]
"""Maps an event type to the Kafka topic it is published on (None: kept internal)."""


@dataclass(frozen=True)
class StoredEvent:
    stream_id: str
    stream_type: str
    version: int
    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    data: dict[str, Any]
    metadata: dict[str, Any]
    global_position: int


class EventStore:
    def __init__(self, registry: EventRegistry, *, source: str, route: TopicRouter) -> None:
        self.registry = registry
        self.source = source
        self.route = route

    async def append(
        self,
        conn: AsyncConnection,
        *,
        stream_id: str,
        stream_type: str,
        expected_version: int,
        new_events: Sequence[Any],
        metadata: EventMetadata,
    ) -> list[Envelope]:
        """Append events after `expected_version`; a stale version raises ConcurrencyConflict.

        Must run inside the caller's transaction: the event rows, the outbox rows and whatever state
        change the caller made commit (or vanish) together.
        """
        if not new_events:
            return []
        envelopes = [
            self.registry.envelope(event, source=self.source, subject=stream_id, metadata=metadata)
            for event in new_events
        ]
        event_rows = [
            {
                "stream_id": stream_id,
                "stream_type": stream_type,
                "version": expected_version + offset,
                "event_id": envelope.id,
                "event_type": envelope.type,
                "schema_version": envelope.schemaversion,
                "occurred_at": envelope.time,
                "data": envelope.data,
                "metadata": metadata.model_dump(exclude_none=True),
            }
            for offset, envelope in enumerate(envelopes, start=1)
        ]
        try:
            # A savepoint keeps the caller's transaction usable after a conflict.
            async with conn.begin_nested():
                await conn.execute(insert(events), event_rows)
        except IntegrityError as exc:
            if "events_stream_version_pk" not in str(exc.orig):
                raise
            raise ConcurrencyConflict(stream_id, expected_version) from exc
        outbox_rows = [
            {
                "event_id": envelope.id,
                "topic": topic,
                "key": stream_id,
                "headers": {name: value.decode() for name, value in envelope.kafka_headers()},
                "payload": envelope.kafka_value(),
            }
            for envelope in envelopes
            if (topic := self.route(envelope.type)) is not None
        ]
        if outbox_rows:
            await conn.execute(insert(outbox), outbox_rows)
        return envelopes

    async def read(
        self, conn: AsyncConnection, stream_id: str, *, as_of: datetime | None = None
    ) -> list[StoredEvent]:
        query = select(events).where(events.c.stream_id == stream_id).order_by(events.c.version)
        if as_of is not None:
            query = query.where(events.c.occurred_at <= as_of)
        rows = (await conn.execute(query)).mappings().all()
        return [StoredEvent(**row) for row in rows]

    def decode(self, stored: StoredEvent) -> Any:
        return self.registry.load(stored.event_type, stored.data, stored.schema_version)

    async def load_events(
        self, conn: AsyncConnection, stream_id: str, *, as_of: datetime | None = None
    ) -> list[Any]:
        return [self.decode(stored) for stored in await self.read(conn, stream_id, as_of=as_of)]
