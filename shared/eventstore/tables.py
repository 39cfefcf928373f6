"""Backbone tables every service database has: event streams, outbox, processed events.

Shapes after pyeventsourcing (primary key (stream_id, version) gives optimistic concurrency for free)
and the Debezium outbox (aggregate id becomes the Kafka key).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

backbone_metadata = MetaData()

events = Table(
    "events",
    backbone_metadata,
    Column("global_position", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("stream_id", Text, nullable=False),
    Column("stream_type", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("data", JSONB, nullable=False),
    Column("metadata", JSONB, nullable=False),
    PrimaryKeyConstraint("stream_id", "version", name="events_stream_version_pk"),
)
Index("events_type_occurred_idx", events.c.event_type, events.c.occurred_at)

outbox = Table(
    "outbox",
    backbone_metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=True),
    Column("headers", JSONB, nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True), nullable=True),
    # A row the broker refused for good (too large, invalid topic...): set aside with the error, and its
    # stream (topic, key) waits behind it; an operator fixes the cause and clears `parked_at`.
    Column("parked_at", DateTime(timezone=True), nullable=True),
    Column("park_error", Text, nullable=True),
)
# The relay only ever looks at unpublished rows, in id order.
Index("outbox_unpublished_idx", outbox.c.id, postgresql_where=text("published_at IS NULL"))
# ...and, for each, whether a parked row holds its stream (an empty index while nothing is parked).
Index(
    "outbox_parked_idx",
    outbox.c.topic,
    outbox.c.key,
    postgresql_where=text("parked_at IS NOT NULL AND published_at IS NULL"),
)

processed_events = Table(
    "processed_events",
    backbone_metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id", name="processed_events_pk"),
)

# Consumed events that arrived before what they apply to (shared.consumer.parking), by what they wait
# for; never pruned.
parked_events = Table(
    "parked_events",
    backbone_metadata,
    Column("id", BigInteger, Identity(always=True), nullable=False),
    Column("consumer", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("record_key", LargeBinary, nullable=True),  # the message's own key (may differ from `key`)
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("reason", Text, nullable=False),
    PrimaryKeyConstraint("consumer", "key", "id", name="parked_events_pk"),
)

api_keys = Table(
    "api_keys",
    backbone_metadata,
    Column("key_id", Text, primary_key=True),
    Column("key_hash", LargeBinary, nullable=False),
    Column("client_id", Text, nullable=False),
    Column("roles", ARRAY(Text), nullable=False),
    Column("region", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

idempotency_keys = Table(
    "idempotency_keys",
    backbone_metadata,
    Column("scope", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("status", Integer, nullable=True),
    Column("body", JSONB, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("scope", "key", name="idempotency_keys_pk"),
)
