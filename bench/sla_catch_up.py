"""SLA monitor: time to catch up on 100,000 overdue clocks after a restart (issue 11, item 2).

25,000 tickets x 4 running clocks (the same stored state as bench/sla.py: a P2 ticket under
"seed-003", on-site covered), opened a day ago so that every threshold of every clock is overdue,
are bulk-loaded into `sla_tickets` with `due_at` in the past. The monitor's runtime is started in
this process (migrations, seeding; no consumer, relay or background timer) and its timer's `tick()`
is called until nothing is due: each tick is one short transaction of at most BATCH tickets (state,
exactly-once guard, event store, outbox), or CATCH_UP_LANES such transactions at once while behind.
The relay is off, so publishing is not measured.

- sla.catch_up_100k_s: from the first tick to the tick that found nothing due.
- sla.catch_up_raw_update_s (the raw limit): the same rows rewritten with plain UPDATEs of the same
  batch size (state and due_at, no events): what PostgreSQL itself costs for the row writes alone.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from bench.support import fresh_database, plain
from shared.testing.infra import Infra

TICKETS = 25_000  # x 4 clocks = 100,000 overdue clocks


def _overdue_state() -> str:
    from bench.sla import SLA_PACKAGE_ROOT

    if str(SLA_PACKAGE_ROOT) not in sys.path:
        sys.path.insert(0, str(SLA_PACKAGE_ROOT))
    from sla_monitor.adapters.state import dump_state
    from sla_monitor.domain.clocks import SlaTicket
    from sla_monitor.domain.seeds import SEED_003

    ticket = SlaTicket.open(
        ticket_id="TEMPLATE",
        policy=SEED_003,
        calendar_id="7x24",
        severity="P2",
        customer_id="C-BULK",
        region="SH",
        opened_at=datetime.now(UTC) - timedelta(days=1),
        on_site_covered=True,
    )
    return json.dumps(dump_state(ticket))


async def _load(dsn: str, state: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            """
            INSERT INTO sla_tickets (ticket_id, state, version, due_at, updated_at)
            SELECT 'LATE-' || lpad(n::text, 7, '0'),
                   jsonb_set($1::jsonb, '{ticket_id}', to_jsonb('LATE-' || lpad(n::text, 7, '0'))),
                   0, now() - interval '1 day' + n * interval '1 ms', now()
            FROM generate_series(1, $2::int) AS n
            """,
            state,
            TICKETS,
        )
        await conn.execute("ANALYZE sla_tickets")
    finally:
        await conn.close()


async def _raw_updates(dsn: str, batch: int) -> float:
    conn = await asyncpg.connect(dsn)
    try:
        started = time.perf_counter()
        for low in range(1, TICKETS + 1, batch):
            await conn.execute(
                """
                UPDATE sla_tickets SET state = state || '{}'::jsonb, due_at = NULL, updated_at = now()
                WHERE ticket_id IN (SELECT 'LATE-' || lpad(n::text, 7, '0')
                                    FROM generate_series($1::int, $2::int) AS n)
                """,
                low,
                min(low + batch, TICKETS + 1) - 1,
            )
        return time.perf_counter() - started
    finally:
        await conn.close()


async def measure(infra: Infra) -> dict[str, float]:
    from bench.sla import SLA_PACKAGE_ROOT

    if str(SLA_PACKAGE_ROOT) not in sys.path:
        sys.path.insert(0, str(SLA_PACKAGE_ROOT))
    from sla_monitor.bootstrap import build
    from sla_monitor.config import Settings
    from sla_monitor.entrypoints.timer import BATCH

    dsn = await fresh_database(infra, "sla_catch_up")
    settings = Settings(
        database_url=dsn,
        kafka_bootstrap_servers=infra.bootstrap_servers,
        kafka_topic_prefix=f"bcu{uuid.uuid4().hex[:8]}.",
        kafka_topic_partitions=3,
        kafka_idempotent_producer=False,
        consumers_enabled=False,
        relay_enabled=False,
        timers_enabled=False,
        log_level="WARNING",
    )
    monitor = build(settings)
    await monitor.runtime.start()
    try:
        await _load(plain(dsn), _overdue_state())
        started = time.perf_counter()
        ticks = fired = 0
        while n := await monitor.timer.tick():
            ticks, fired = ticks + 1, fired + n
        elapsed = time.perf_counter() - started
    finally:
        await monitor.runtime.stop()
    conn = await asyncpg.connect(plain(dsn))
    try:
        events = await conn.fetchval("SELECT count(*) FROM events WHERE stream_type = 'sla'")
        left = await conn.fetchval("SELECT count(*) FROM sla_tickets WHERE due_at <= now()")
    finally:
        await conn.close()
    raw = await _raw_updates(plain(dsn), BATCH)
    print(
        f"   catch-up: {fired:,} tickets ({TICKETS * 4:,} clocks) in {ticks} ticks of <= {BATCH}, "
        f"{events:,} SLA events appended, {left} still due; {elapsed:.1f} s "
        f"({fired / elapsed:,.0f} tickets/s; target < 60 s); raw limit: the same rows UPDATEd in "
        f"batches of {BATCH}: {raw:.1f} s ({TICKETS / raw:,.0f} rows/s)",
        flush=True,
    )
    return {"sla.catch_up_100k_s": elapsed, "sla.catch_up_raw_update_s": raw}
