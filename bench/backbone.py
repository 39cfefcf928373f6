"""Store -> outbox -> Kafka -> consumer throughput, beside the raw limits measured in the same run.

- raw.pg_durable_insert_per_s: single-row INSERT transactions (synchronous_commit on, fsync on) from
  WRITERS concurrent connections, the same concurrency the backbone writers use.
- raw.kafka_produce_per_s: aiokafka, acks=all, keyed 300-byte messages.
- backbone.events_per_s: WRITERS concurrent writers, each appending one event at a time to its own
  stream and waiting until it is durable, through `GroupCommit` + `EventStore.append_many` (events and
  outbox rows; appends that overlap share one statement, which as a lone statement needs no
  BEGIN/COMMIT: `one_statement=True`); the outbox relay publishes them (its own process, woken by
  the append's NOTIFY); an idempotent consumer applies them (its own process, as the consuming
  service would be). The clock runs from the first append to the consumer's last apply.
- backbone.one_tx_per_event_per_s: the same, each writer committing its own transaction per event
  (no group commit): what one-command-one-transaction costs on this machine.
- backbone.ratio_to_raw_insert: backbone.events_per_s / raw.pg_durable_insert_per_s.

Everything shares the 2 cores with PostgreSQL and the broker; run to run the ratio moved between
0.47 and 0.59 while this was tuned.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.support import fresh_database, plain
from shared import kafka
from shared.consumer import EventConsumer
from shared.devstack.processes import spawn, stop
from shared.envelope import Envelope, EventMetadata
from shared.eventstore import EventStore, StreamAppend, backbone_metadata
from shared.group_commit import GroupCommit
from shared.outbox import OutboxRelay
from shared.registry import EventRegistry
from shared.testing.infra import Infra
from tests.backbone.support import WorkLogged

ROOT = Path(__file__).resolve().parents[1]
WRITERS = 32
RAW_SECONDS = 5.0
EVENTS = 20_000
KAFKA_MESSAGES = 50_000


async def raw_insert_rate(database_url: str) -> float:
    dsn = plain(database_url)
    setup = await asyncpg.connect(dsn)
    await setup.execute("CREATE TABLE raw_insert (id bigserial primary key, body text)")
    await setup.close()
    count = 0
    stop_at = time.perf_counter() + RAW_SECONDS

    async def writer() -> None:
        nonlocal count
        conn = await asyncpg.connect(dsn)
        try:
            while time.perf_counter() < stop_at:
                await conn.execute("INSERT INTO raw_insert (body) VALUES ($1)", "x" * 300)
                count += 1
        finally:
            await conn.close()

    started = time.perf_counter()
    await asyncio.gather(*(writer() for _ in range(WRITERS)))
    return count / (time.perf_counter() - started)


async def raw_produce_rate(bootstrap: str, topic: str) -> float:
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    try:
        payload = b"x" * 300
        started = time.perf_counter()
        futures = [
            await producer.send(topic, payload, key=f"T-{i % 1000}".encode()) for i in range(KAFKA_MESSAGES)
        ]
        await asyncio.gather(*futures)
        return KAFKA_MESSAGES / (time.perf_counter() - started)
    finally:
        await producer.stop()


def _registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(WorkLogged)
    return registry


async def consume_forever(database_url: str, bootstrap: str, prefix: str) -> None:
    """The consuming service: its own process, as in production (`python -m bench.backbone ...`)."""
    topic, dlq = prefix + "events", prefix + "dlq"
    engine = create_async_engine(database_url, pool_size=4)
    producer = kafka.make_producer(bootstrap)
    await producer.start()

    async def count(_conn, _event, _envelope) -> None:
        return None  # the processed_events row written by the consumer is what is counted

    consumer = EventConsumer(
        name=prefix + "group",
        topics=[topic],
        bootstrap_servers=bootstrap,
        engine=engine,
        registry=_registry(),
        handlers={"WorkLogged": count},
        producer=producer,
        dead_letter_topic=dlq,
    )
    await consumer.start()
    await consumer.run()


async def relay_forever(database_url: str, bootstrap: str, _prefix: str) -> None:
    """The outbox relay in its own process (a service can run it apart: RELAY_ENABLED=false on the
    API's replicas); commits wake it through PostgreSQL NOTIFY."""
    engine = create_async_engine(database_url, pool_size=4)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    await OutboxRelay(engine, producer, service="bench").run()


async def backbone_rate(database_url: str, bootstrap: str, prefix: str, *, grouped: bool) -> float:
    topic, dlq = prefix + "events", prefix + "dlq"
    await kafka.ensure_topics(bootstrap, [topic, dlq], partitions=6, replication_factor=1)
    engine = create_async_engine(database_url, pool_size=WRITERS + 4)
    async with engine.begin() as conn:
        await conn.run_sync(backbone_metadata.create_all)
    store = EventStore(_registry(), source="/bench", route=lambda _t: topic)
    helpers = [
        spawn(
            [sys.executable, "-m", "bench.backbone", role, database_url, bootstrap, prefix],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            cwd=ROOT,
        )
        for role in ("relay", "consume")
    ]
    meta = EventMetadata(correlation_id="bench")
    try:
        # The clock starts once the consumer has joined its group and applied a first event.
        async with engine.begin() as conn:
            await store.append(
                conn,
                stream_id="warm-up",
                stream_type="ticket",
                expected_version=0,
                metadata=meta,
                new_events=[WorkLogged(ticket_id="warm-up", step=1, occurred_at=datetime.now(UTC))],
            )
        await _wait_applied(engine, 1, timeout_s=60)
        per_writer = EVENTS // WRITERS
        group: GroupCommit[StreamAppend, list[Envelope]] = GroupCommit(
            "bench", lambda: engine, store.append_many, one_statement=True
        )

        async def writer(index: int) -> None:
            stream = f"T-{index}-{uuid.uuid4().hex[:6]}"
            for version in range(per_writer):
                event = WorkLogged(ticket_id=stream, step=version + 1, occurred_at=datetime.now(UTC))
                if grouped:
                    await group.submit(StreamAppend(stream, "ticket", version, [event], meta))
                    continue
                async with engine.begin() as conn:
                    await store.append(
                        conn,
                        stream_id=stream,
                        stream_type="ticket",
                        expected_version=version,
                        metadata=meta,
                        new_events=[event],
                    )

        started = time.perf_counter()
        await asyncio.gather(*(writer(i) for i in range(WRITERS)))
        total = per_writer * WRITERS
        await _wait_applied(engine, 1 + total, timeout_s=180)
        return total / (time.perf_counter() - started)
    finally:
        for helper in helpers:
            stop(helper)
        await engine.dispose()


async def _wait_applied(engine, count: int, *, timeout_s: float) -> None:
    deadline = time.perf_counter() + timeout_s
    while await _applied(engine) < count:
        if time.perf_counter() > deadline:
            raise TimeoutError("the consumer did not apply every event")
        await asyncio.sleep(0.02)


async def _applied(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM processed_events"))).scalar_one()


async def run(infra: Infra, _so_far: dict) -> dict[str, float]:
    prefix = f"bench{uuid.uuid4().hex[:6]}."
    raw_pg = await raw_insert_rate(await fresh_database(infra, "raw"))
    print(f"   raw durable INSERT: {raw_pg:,.0f}/s", flush=True)
    await kafka.ensure_topics(infra.bootstrap_servers, [prefix + "raw"], partitions=6, replication_factor=1)
    raw_kafka = await raw_produce_rate(infra.bootstrap_servers, prefix + "raw")
    print(f"   raw produce: {raw_kafka:,.0f}/s", flush=True)
    events = await backbone_rate(
        await fresh_database(infra, "backbone"), infra.bootstrap_servers, prefix + "g.", grouped=True
    )
    print(f"   backbone (group commit): {events:,.0f} events/s", flush=True)
    one_each = await backbone_rate(
        await fresh_database(infra, "backbone1"), infra.bootstrap_servers, prefix + "1.", grouped=False
    )
    print(f"   backbone (one transaction per event): {one_each:,.0f} events/s", flush=True)
    return {
        "raw.pg_durable_insert_per_s": raw_pg,
        "raw.kafka_produce_per_s": raw_kafka,
        "backbone.events_per_s": events,
        "backbone.ratio_to_raw_insert": events / raw_pg,
        "backbone.one_tx_per_event_per_s": one_each,
    }


if __name__ == "__main__":
    role, *arguments = sys.argv[1:]
    asyncio.run({"relay": relay_forever, "consume": consume_forever}[role](*arguments))
