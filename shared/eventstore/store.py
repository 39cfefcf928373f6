"""Append-only event streams with optimistic concurrency; outbox rows written in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import Envelope, EventMetadata
from shared.errors import ConcurrencyConflict
from shared.eventstore.tables import events
from shared.registry import EventRegistry

# One round trip: the event rows and their outbox rows (a data-modifying CTE always runs).
_APPEND = text(
    """
    WITH appended AS (
        INSERT INTO events (stream_id, stream_type, version, event_id, event_type, schema_version,
                            occurred_at, data, metadata)
        SELECT :stream_id, :stream_type, v, id, t, sv, oc, d::jsonb, CAST(:metadata AS jsonb)
        FROM unnest(CAST(:versions AS int[]), CAST(:event_ids AS uuid[]), CAST(:types AS text[]),
                    CAST(:schema_versions AS int[]), CAST(:occurred AS timestamptz[]),
                    CAST(:data AS text[])) AS u(v, id, t, sv, oc, d)
        RETURNING 1
    )
    INSERT INTO outbox (event_id, topic, key, headers, payload)
    SELECT id, topic, :key, h::jsonb, p
    FROM unnest(CAST(:outbox_event_ids AS uuid[]), CAST(:topics AS text[]), CAST(:headers AS text[]),
                CAST(:payloads AS bytea[])) AS o(id, topic, h, p)
    """
)

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
        key: str | None = None,
    ) -> list[Envelope]:
        """Append events after `expected_version`; a stale version raises ConcurrencyConflict.

        `key` is the Kafka key and CloudEvents subject (default: the stream id); a complaint about a
        ticket, for instance, is its own stream but travels keyed by the ticket id.

        Must run inside the caller's transaction: the event rows, the outbox rows and whatever state
        change the caller made commit (or vanish) together. After a conflict the transaction is
        aborted: the caller re-runs the whole command (see `retry_on_conflict`).
        """
        if not new_events:
            return []
        envelopes = [
            self.registry.envelope(event, source=self.source, subject=key or stream_id, metadata=metadata)
            for event in new_events
        ]
        versions = list(range(expected_version + 1, expected_version + 1 + len(envelopes)))
        topics = [self.route(envelope.type) for envelope in envelopes]
        published = [(e, t) for e, t in zip(envelopes, topics, strict=True) if t is not None]
        params = {
            "stream_id": stream_id,
            "key": key or stream_id,
            "stream_type": stream_type,
            "versions": versions,
            "event_ids": [e.id for e in envelopes],
            "types": [e.type for e in envelopes],
            "schema_versions": [e.schemaversion for e in envelopes],
            "occurred": [e.time for e in envelopes],
            "data": [json.dumps(e.data, ensure_ascii=False) for e in envelopes],
            "metadata": json.dumps(metadata.model_dump(exclude_none=True)),
            "outbox_event_ids": [e.id for e, _ in published],
            "topics": [t for _, t in published],
            "headers": [json.dumps({n: v.decode() for n, v in e.kafka_headers()}) for e, _ in published],
            "payloads": [e.kafka_value() for e, _ in published],
        }
        try:
            await conn.execute(_APPEND, params)
        except IntegrityError as exc:
            if "events_stream_version_pk" not in str(exc.orig):
                raise
            raise ConcurrencyConflict(stream_id, expected_version) from exc
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
