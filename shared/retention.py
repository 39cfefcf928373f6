"""Pruning the backbone tables that only grow: published outbox rows, processed events, idempotency keys.

What may go, and why it is safe:

- `outbox`: a row once published (published_at set) is needed only by an outbox replay, which
  republishes from a time or an id after a topic was lost. Kept `retention_days` (7) after
  publication; an unpublished or parked row is never pruned, however old.
- `processed_events`: the de-duplication window. A consumer skips an event it sees again only while
  its row is there, so the row must outlive every way the event can come back:
  Kafka redelivers from its log (a group's offsets reset or lost, a rebalance, a restart) only while
  the message is in the topic — `retention.ms`, 7 days by default, counted from the append, which is
  before the row was written; an outbox replay republishes rows up to `retention_days` old; a DLQ
  replay (`python -m shared.consumer.dlq replay`) republishes a letter to its source topic, where
  every other consumer group applied it long ago, so the oldest letter you would replay counts too.
  Hence `dedup_retention_days` (30) must be longer than the longest of: topic retention, DLQ topic
  retention, `retention_days` (the settings refuse less than that last one). Raise it if a topic
  keeps messages longer.
- `idempotency_keys`: a client's retry of a command. Kept `idempotency_retention_days` (7); a request
  retried with the same key after that is a new request.

`parked_events` (consumed events waiting for their ticket, shared.consumer.parking) is never pruned:
a row there is an event not applied yet, not a record of one applied.

A service adds the tables of its own that only grow as more `Rule`s (`ServiceRuntime(retention_rules=
...)`): the same pass, lock, batches and metric prune them, and the rule's docstring says why its rows
may go (e.g. the SLA monitor's stored inputs, `sla_monitor.adapters.retention`).

How: the tables have no index on their timestamps (adding one is a migration in every service), so
a pass walks each table's heap in ranges of `retention_batch_pages` pages (a TID range scan reads
just those pages) and deletes the rows of that range that are old enough: each batch is one short
autocommitted statement holding row locks on a few thousand rows at most, and a pass reads each
table once, sequentially. Ages are measured on the database's clock (now()), one clock for all
replicas; replicas take turns through an advisory lock, so one prunes at a time.

`run_retention(engine, settings)` is the background job: a pass every `retention_interval_s`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.settings import ServiceSettings

log = logging.getLogger(__name__)
PRUNED = Counter("retention_pruned_rows_total", "Rows deleted by the retention job", ["table"])
_LOCK_KEY = 7_204_512  # one pruning pass at a time per database (migrations use 7_204_511)


@dataclass(frozen=True)
class Rule:
    """Rows of `table` for which `old_enough` holds may go. The condition is SQL on one row of the
    table (it may name the table's columns as `<table>.<column>`, e.g. in a sub-query on another
    table); `:days` is bound to `days`."""

    table: str
    old_enough: str
    days: int


def rules(settings: ServiceSettings) -> list[Rule]:
    return [
        Rule("outbox", "published_at < now() - make_interval(days => :days)", settings.retention_days),
        Rule(
            "processed_events",
            "processed_at < now() - make_interval(days => :days)",
            settings.dedup_retention_days,
        ),
        Rule(
            "idempotency_keys",
            "created_at < now() - make_interval(days => :days)",
            settings.idempotency_retention_days,
        ),
    ]


async def prune(
    engine: AsyncEngine, settings: ServiceSettings, extra: Sequence[Rule] = ()
) -> dict[str, int] | None:
    """One pass over every table (the backbone's, then the service's `extra`); rows deleted per table,
    or None if another replica is pruning."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")  # each batch commits alone
        locked = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": _LOCK_KEY})
        if not locked:
            return None
        try:
            return {
                rule.table: await _prune_table(conn, rule, settings.retention_batch_pages)
                for rule in [*rules(settings), *extra]
            }
        finally:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})


async def _prune_table(conn: AsyncConnection, rule: Rule, batch_pages: int) -> int:
    pages = await conn.scalar(
        text("SELECT pg_relation_size(CAST(:table AS regclass)) / current_setting('block_size')::int"),
        {"table": rule.table},
    )
    # Pages added during the pass hold new rows only; the next pass sees them.
    delete = text(
        f"DELETE FROM {rule.table} WHERE ctid >= CAST(:first AS tid) AND ctid < CAST(:end AS tid)"
        f" AND {rule.old_enough}"
    )
    deleted = 0
    for first in range(0, pages or 0, batch_pages):
        bounds = {"first": (first, 0), "end": (first + batch_pages, 0)}  # (page, item): a tid
        result = await conn.execute(delete, {**bounds, "days": rule.days})
        deleted += result.rowcount
        await asyncio.sleep(0)  # let the service's other work in between batches
    PRUNED.labels(rule.table).inc(deleted)
    return deleted


async def run_retention(engine: AsyncEngine, settings: ServiceSettings, extra: Sequence[Rule] = ()) -> None:
    """The background job: prune now, then every `retention_interval_s`, until cancelled."""
    while True:
        try:
            deleted = await prune(engine, settings, extra)
            if deleted is None:
                log.info("retention: another replica is pruning")
            elif any(deleted.values()):
                log.info("retention: pruned", extra={"deleted": deleted})
        except Exception:  # noqa: BLE001 - a failed pass (database away) is retried next interval
            log.exception("retention pass failed")
        await asyncio.sleep(settings.retention_interval_s)
