"""Store -> outbox -> Kafka -> consumer throughput, beside the raw limits measured in the same run.

- raw.pg_durable_insert_per_s: single-row INSERT transactions (synchronous_commit on, fsync on) from
  WRITERS concurrent connections, the same concurrency the backbone writers use.
- raw.kafka_produce_per_s: aiokafka, acks=all, keyed 300-byte messages.
- backbone.events_per_s: WRITERS concurrent writers each append one event per transaction through
  the EventStore (events + outbox rows), the relay publishes, an idempotent consumer applies them;
  the clock stops when the consumer has applied the last one.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.support import fresh_database, plain
from shared import kafka
from shared.consumer import EventConsumer
from shared.envelope import EventMetadata
from shared.eventstore import EventStore, backbone_metadata
from shared.outbox import OutboxRelay
from shared.registry import EventRegistry
from shared.testing.infra import Infra
from tests.backbone.support import WorkLogged

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


async def backbone_rate(database_url: str, bootstrap: str, prefix: str) -> float:
    topic, dlq = prefix + "events", prefix + "dlq"
    await kafka.ensure_topics(bootstrap, [topic, dlq], partitions=6, replication_factor=1)
    engine = create_async_engine(database_url, pool_size=WRITERS + 4)
    async with engine.begin() as conn:
        await conn.run_sync(backbone_metadata.create_all)
    registry = EventRegistry()
    registry.register(WorkLogged)
    store = EventStore(registry, source="/bench", route=lambda _t: topic)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    relay = OutboxRelay(engine, producer, service="bench")

    async def count(_conn, _event, _envelope) -> None:
        return None  # the processed_events row written by the consumer is what is counted

    consumer = EventConsumer(
        name=prefix + "group",
        topics=[topic],
        bootstrap_servers=bootstrap,
        engine=engine,
        registry=registry,
        handlers={"WorkLogged": count},
        producer=producer,
        dead_letter_topic=dlq,
    )
    await consumer.start()
    tasks = [asyncio.create_task(relay.run()), asyncio.create_task(consumer.run())]
    await asyncio.sleep(3)  # let the consumer join its group before the clock starts
    per_writer = EVENTS // WRITERS
    meta = EventMetadata(correlation_id="bench")

    async def writer(index: int) -> None:
        stream = f"T-{index}-{uuid.uuid4().hex[:6]}"
        for version in range(per_writer):
            async with engine.begin() as conn:
                await store.append(
                    conn,
                    stream_id=stream,
                    stream_type="ticket",
                    expected_version=version,
                    metadata=meta,
                    new_events=[
                        WorkLogged(ticket_id=stream, step=version + 1, occurred_at=datetime.now(UTC))
                    ],
                )
            relay.wake()

    started = time.perf_counter()
    await asyncio.gather(*(writer(i) for i in range(WRITERS)))
    total = per_writer * WRITERS
    while await _applied(engine) < total:
        if time.perf_counter() - started > 180:
            raise TimeoutError("the consumer did not apply every event")
        await asyncio.sleep(0.05)
    elapsed = time.perf_counter() - started
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await consumer.stop()
    await producer.stop()
    await engine.dispose()
    return total / elapsed


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
    events = await backbone_rate(await fresh_database(infra, "backbone"), infra.bootstrap_servers, prefix)
    print(f"   backbone: {events:,.0f} events/s", flush=True)
    return {
        "raw.pg_durable_insert_per_s": raw_pg,
        "raw.kafka_produce_per_s": raw_kafka,
        "backbone.events_per_s": events,
        "backbone.ratio_to_raw_insert": events / raw_pg,
    }
