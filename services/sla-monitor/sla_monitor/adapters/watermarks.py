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
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text

from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.domain.commands import PartitionRead

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

    async def horizon(self, *, now: datetime | None, grace_s: float) -> datetime:
        """Thresholds due by this time may fire (`now`: a caller's clock, else the database's)."""
        horizon: datetime = (
            await self._uow.conn.execute(_HORIZON, {"now": now, "grace_s": grace_s})
        ).scalar_one()
        return horizon
