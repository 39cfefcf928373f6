"""Append-only event streams with optimistic concurrency; outbox rows written in the same transaction."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic_core import to_json
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import Envelope, EventMetadata, new_ids
from shared.errors import ConcurrencyConflict, EventTooLarge
from shared.eventstore.tables import events
from shared.registry import EventRegistry

DEFAULT_MAX_EVENT_BYTES = 1_000_000
"""Below Kafka's default message.max.bytes (1 MiB), leaving room for the record's own overhead."""

NOTIFY_CHANNEL = "servicepact_outbox"
"""Notified (at commit) when outbox rows were written: the relay, in whatever process, wakes."""

# One round trip for any number of streams: the event rows, their outbox rows (data-modifying CTEs
# always run) and the relay's wake-up. A stale expected version anywhere fails it on the primary key.
_APPEND = text(
    """
    WITH appended AS (
        INSERT INTO events (stream_id, stream_type, version, event_id, event_type, schema_version,
                            occurred_at, data, metadata)
        SELECT s, st, v, id, t, sv, oc, d::jsonb, m::jsonb
        FROM unnest(CAST(:streams AS text[]), CAST(:stream_types AS text[]), CAST(:versions AS int[]),
                    CAST(:event_ids AS uuid[]), CAST(:types AS text[]), CAST(:schema_versions AS int[]),
                    CAST(:occurred AS timestamptz[]), CAST(:data AS text[]), CAST(:metadata AS text[]))
             AS u(s, st, v, id, t, sv, oc, d, m)
        RETURNING 1
    ), queued AS (
        INSERT INTO outbox (event_id, topic, key, headers, payload)
        SELECT id, topic, k, h::jsonb, p
        FROM unnest(CAST(:outbox_event_ids AS uuid[]), CAST(:topics AS text[]), CAST(:keys AS text[]),
                    CAST(:headers AS text[]), CAST(:payloads AS bytea[])) AS o(id, topic, k, h, p)
        RETURNING 1
    )
    SELECT pg_notify('servicepact_outbox', '') WHERE EXISTS (SELECT FROM queued)
    """
)


@functools.lru_cache(maxsize=1024)
def _metadata_json(metadata: EventMetadata) -> str:
    """Every event of a command carries the same metadata: encode it once."""
    return json.dumps(metadata.model_dump(exclude_none=True))


@dataclass(frozen=True)
class StreamAppend:
    """New events for one stream, after `expected_version`; `key`: Kafka key and subject."""

    stream_id: str
    stream_type: str
    expected_version: int
    new_events: Sequence[Any]
    metadata: EventMetadata
    key: str | None = None


TopicRouter = Callable[[str], str | None]
"""Maps an event type to the Kafka topic it is published on (None: kept internal)."""


_APPEND_COLUMNS = (
    "streams",
    "stream_types",
    "versions",
    "event_ids",
    "types",
    "schema_versions",
    "occurred",
    "data",
    "metadata",
    "outbox_event_ids",
    "topics",
    "keys",
    "headers",
    "payloads",
)


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
    def __init__(
        self,
        registry: EventRegistry,
        *,
        source: str,
        route: TopicRouter,
        max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES,
    ) -> None:
        self.registry = registry
        self.source = source
        self.route = route
        # Refused here, in the caller's transaction, rather than found by the relay: an outbox row the
        # broker will never accept could only be parked, blocking its stream.
        self.max_event_bytes = max_event_bytes

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
        (envelopes,) = await self.append_many(
            conn, [StreamAppend(stream_id, stream_type, expected_version, new_events, metadata, key)]
        )
        return envelopes

    async def append_many(
        self, conn: AsyncConnection, appends: Sequence[StreamAppend]
    ) -> list[list[Envelope]]:
        """Several streams in one statement (group commit); the envelopes of each, in order."""
        params: dict[str, list[Any]] = {name: [] for name in _APPEND_COLUMNS}
        written: list[list[Envelope]] = []
        for append in appends:
            written.append(self._add(params, append))
        if not params["event_ids"]:
            return written
        try:
            await conn.execute(_APPEND, params)
        except IntegrityError as exc:
            if "events_stream_version_pk" not in str(exc.orig):
                raise
            stale = appends[0] if len(appends) == 1 else None
            raise ConcurrencyConflict(
                stale.stream_id if stale else "(one of a group)", stale.expected_version if stale else -1
            ) from exc
        return written

    def _add(self, params: dict[str, list[Any]], append: StreamAppend) -> list[Envelope]:
        """One append's rows into the statement's columns. Catching up on many events is bound by this
        loop: every event is dumped and encoded once, the per-append values are worked out once."""
        key = append.key or append.stream_id
        key_size = len(key.encode())
        metadata = _metadata_json(append.metadata)
        envelopes = []
        ids = new_ids(len(append.new_events))
        numbered = enumerate(zip(append.new_events, ids, strict=True), start=append.expected_version + 1)
        for version, (event, event_id) in numbered:
            envelope = self.registry.envelope(
                event, source=self.source, subject=key, metadata=append.metadata, event_id=event_id
            )
            envelopes.append(envelope)
            body = envelope.kafka_value()
            params["streams"].append(append.stream_id)
            params["stream_types"].append(append.stream_type)
            params["versions"].append(version)
            params["event_ids"].append(envelope.id)
            params["types"].append(envelope.type)
            params["schema_versions"].append(envelope.schemaversion)
            params["occurred"].append(envelope.time)
            params["data"].append(body.decode())
            params["metadata"].append(metadata)
            topic = self.route(envelope.type)
            if topic is not None:
                headers = envelope.header_values()
                # Header names are ASCII; UTF-8 lengths add up, so one join each counts them all.
                size = len(body) + key_size + len("".join(headers)) + len("".join(headers.values()).encode())
                if size > self.max_event_bytes:
                    raise EventTooLarge(envelope.type, size, self.max_event_bytes)
                params["outbox_event_ids"].append(envelope.id)
                params["topics"].append(topic)
                params["keys"].append(key)
                params["headers"].append(to_json(headers).decode())  # stored as JSONB: any spacing
                params["payloads"].append(body)
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
