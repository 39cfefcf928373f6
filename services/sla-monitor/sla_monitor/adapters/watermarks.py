"""How far the monitor has read its inputs (`sla_input_watermarks`, one row per input partition), and
the time up to which thresholds may fire.

A threshold is a verdict on what happened before its deadline, and the event that stopped the clock
in time may still be unread: consumer lag, a rebalance, a restart. So the timer fires only up to the
horizon: the database's clock (one time source for every replica), but no later than the oldest
partition's `read_until` minus the grace period (the outbox relay's lag and the producers' clock
skew: an event made before the deadline is sent a little after it).

`read_until` of a partition moves forward only: to the newest record timestamp (send time) applied,
or, when the consumer is caught up on it (shared.consumer.progress), to the database's clock at the
start of that poll. After a restart the rows still say where the last run stopped, so nothing fires
past that until the consumer has caught up with what was sent meanwhile.

Only partitions that exist count (`match`, after every poll, with the partitions the consumer's
metadata lists): the row of a partition that is gone (a topic recreated with fewer partitions, a topic
no longer subscribed) would never move again and hold every threshold back for good, so it is dropped,
with a warning and `sla_input_watermarks_retired_total`. A listed partition without a row gets one
that is not read yet (it gates until a consumer reports it: a partition just added may already hold
inputs). A partition that exists and has no events is no obstacle: its consumer finds it caught up
at the first poll (shared.consumer.progress) and reads it up to the clock. The rows are those of the
monitor's one input consumer group (`clocks`): a second group reporting here would need its own.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime

from prometheus_client import Counter
from sqlalchemy import text

from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.domain.commands import InputTopics, PartitionRead

log = logging.getLogger(__name__)
RETIRED = Counter(
    "sla_input_watermarks_retired_total",
    "Watermarks of input partitions that no longer exist, dropped from the timer's gate",
    ["reason"],  # partition_gone | topic_unsubscribed
)

_ADVANCE = text(
    """
    INSERT INTO sla_input_watermarks AS w (topic, partition, position, read_until, updated_at)
    SELECT p.topic, p.partition, p.position,
           CASE WHEN p.caught_up THEN clock_timestamp() - make_interval(secs => p.age_s)
                ELSE to_timestamp(p.newest_ms / 1000.0) END,
           clock_timestamp()
    FROM jsonb_to_recordset(CAST(:progress AS jsonb))
         AS p(topic text, partition int, position bigint, newest_ms bigint, caught_up boolean, age_s float8)
    ON CONFLICT (topic, partition) DO UPDATE SET
        position = coalesce(EXCLUDED.position, w.position),
        read_until = greatest(w.read_until, EXCLUDED.read_until),
        updated_at = EXCLUDED.updated_at
    """
)
# Drop the rows of partitions not listed (for a topic whose partitions are known, or that is no longer
# subscribed); add a not-yet-read row for each listed partition without one. One round trip per poll;
# the table holds a row per input partition, and the insert of a row that exists writes nothing.
_MATCH = text(
    """
    WITH listed AS (
        SELECT l.topic, l.partition
        FROM jsonb_to_recordset(CAST(:listed AS jsonb)) AS l(topic text, partition int)
    ), gone AS (
        DELETE FROM sla_input_watermarks AS w
        WHERE NOT (w.topic = ANY(CAST(:subscribed AS text[])))
           OR (w.topic = ANY(CAST(:known AS text[]))
               AND NOT EXISTS (SELECT FROM listed l WHERE l.topic = w.topic AND l.partition = w.partition))
        RETURNING w.topic, w.partition, w.position, w.read_until
    ), added AS (
        INSERT INTO sla_input_watermarks (topic, partition) SELECT topic, partition FROM listed
        ON CONFLICT (topic, partition) DO NOTHING
    )
    SELECT topic, partition, position, read_until,
           CASE WHEN topic = ANY(CAST(:subscribed AS text[])) THEN 'partition_gone'
                ELSE 'topic_unsubscribed' END AS reason
    FROM gone
    """
)
_HORIZON = text(
    """
    SELECT least(coalesce(CAST(:now AS timestamptz), clock_timestamp()),
                 min(coalesce(read_until, to_timestamp(0))) - make_interval(secs => :grace_s))
    FROM sla_input_watermarks
    """
)


class InputWatermarks:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def advance(self, progress: Sequence[PartitionRead]) -> None:
        rows = [
            {
                "topic": p.topic,
                "partition": p.partition,
                "position": p.position,
                "newest_ms": p.newest_ms,
                "caught_up": p.caught_up,
                "age_s": p.age_s,
            }
            for p in progress
        ]
        if rows:
            await self._uow.conn.execute(_ADVANCE, {"progress": json.dumps(rows)})

    async def match(self, topics: InputTopics) -> None:
        """Keep a row for exactly the partitions that exist (see the module's docstring)."""
        if not topics.subscribed:
            return  # a consumer between subscriptions says nothing about what exists
        listed = [
            {"topic": topic, "partition": partition}
            for topic, partitions in topics.partitions.items()
            for partition in sorted(partitions)
        ]
        retired = await self._uow.conn.execute(
            _MATCH,
            {
                "listed": json.dumps(listed),
                "subscribed": sorted(topics.subscribed),
                "known": sorted(topics.partitions),
            },
        )
        for row in retired:
            RETIRED.labels(row.reason).inc()
            log.warning(
                "input watermark retired: the partition no longer exists for the monitor",
                extra={
                    "topic": row.topic,
                    "partition": row.partition,
                    "reason": row.reason,
                    "position": row.position,
                    "read_until": row.read_until.isoformat() if row.read_until else None,
                },
            )

    async def horizon(self, *, now: datetime | None, grace_s: float) -> datetime:
        """Thresholds due by this time may fire (`now`: a caller's clock, else the database's)."""
        horizon: datetime = (
            await self._uow.conn.execute(_HORIZON, {"now": now, "grace_s": grace_s})
        ).scalar_one()
        return horizon
