"""Publish the archive events revision 0008 stored without outbox rows (issue 13, item 5).

0008 turned the archive rows into streams but wrote no outbox rows, so inventory (the installed
base) and notify (the contacts) never learnt of any customer, unit or contract that existed before
it. This enqueues, for each event 0008 wrote (its metadata's actor is "migration:0006") that has no
outbox row yet, the row a live append would have written: intake's topic, the stream id as key (the
archive repositories' key), the CloudEvents headers and JSON body built by `shared.envelope` (the
code the event store's append uses; it knows nothing of the live tables). Rows go in stream order
(`global_position`), so the relay publishes each stream's events in version order.

The topic name depends on the deployment: the prefix comes from the alembic config option
`kafka_topic_prefix` (set by `shared.migrations.upgrade` from the service's settings), else from the
`KAFKA_TOPIC_PREFIX` environment variable, else none. Idempotent: an event with an outbox row is
skipped. Downgrade removes only the rows of those events not yet published.

Revision ID: 0009
Revises: 0008
"""

import json
import os

import sqlalchemy as sa
from alembic import op

from shared.envelope import Envelope
from shared.migrations import TOPIC_PREFIX_OPTION

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_SOURCE = "/servicepact/intake"  # the event store's source for intake (runtime: /servicepact/<service>)
_TOPIC = "servicepact.tickets.v1"  # intake's output topic (shared.topics.Topics.tickets), after the prefix
_MIGRATED = "e.metadata->>'actor' = 'migration:0006' AND e.stream_type IN ('customer', 'unit', 'contract')"
_BATCH = 1000

_UNQUEUED = sa.text(
    f"""
    SELECT e.global_position, e.stream_id, e.event_id, e.event_type, e.schema_version, e.occurred_at,
           e.data, e.metadata
    FROM events e
    WHERE {_MIGRATED} AND e.global_position > :after
      AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = e.event_id)
    ORDER BY e.global_position
    LIMIT :limit
    """
)
_ENQUEUE = sa.text(
    """
    INSERT INTO outbox (event_id, topic, key, headers, payload)
    VALUES (:event_id, :topic, :key, CAST(:headers AS jsonb), :payload)
    """
)


def _topic() -> str:
    config = op.get_context().config
    prefix = config.get_main_option(TOPIC_PREFIX_OPTION) if config is not None else None
    if prefix is None:
        prefix = os.environ.get("KAFKA_TOPIC_PREFIX", "")
    return prefix + _TOPIC


def _outbox_row(stored: sa.Row, topic: str) -> dict:
    row = dict(stored._mapping)
    metadata = row["metadata"] or {}
    envelope = Envelope(
        id=row["event_id"],
        source=_SOURCE,
        type=row["event_type"],
        time=row["occurred_at"],
        subject=row["stream_id"],
        correlationid=metadata.get("correlation_id"),
        causationid=metadata.get("causation_id"),
        schemaversion=row["schema_version"],
        actor=metadata.get("actor"),
        data=row["data"],
    )
    return {
        "event_id": row["event_id"],
        "topic": topic,
        "key": row["stream_id"],
        "headers": json.dumps(envelope.header_values()),
        "payload": envelope.kafka_value(),
    }


def upgrade() -> None:
    bind = op.get_bind()
    topic = _topic()
    after = 0
    while True:
        rows = bind.execute(_UNQUEUED, {"after": after, "limit": _BATCH}).all()
        if not rows:
            break
        for row in rows:  # one by one: outbox ids follow the streams' order
            bind.execute(_ENQUEUE, _outbox_row(row, topic))
        after = rows[-1].global_position
    bind.execute(sa.text("SELECT pg_notify('servicepact_outbox', '')"))  # a running relay wakes at commit


def downgrade() -> None:
    op.execute(
        f"""
        DELETE FROM outbox o USING events e
        WHERE o.event_id = e.event_id AND o.published_at IS NULL AND {_MIGRATED}
        """
    )
