"""The idempotent consumer on a shared topic, beside the raw rate at which the same topic can be read.

- raw.kafka_consume_per_s: a group-less aiokafka consumer reading the mixed topic from the start,
  records counted, nothing decoded: the ceiling for any consumer of this topic on this machine.
- consumer.mixed_topic_events_per_s: an `EventConsumer` (one group member, in this process, a real
  PostgreSQL) on a topic carrying 4 event types in equal parts, with a handler for 1 of them (as the
  SLA monitor reads dispatch's topic): messages of every type per second, from its first poll after
  joining the group until its committed offsets reach the end of the topic. The other 3 types are
  skipped from their `ce_type` header; before issue 11 they were decoded and dead-lettered one
  `send_and_wait` at a time (~350/s). Target: >= 10,000/s.
- consumer.mixed_topic_ratio_to_raw: the two above, divided.
- consumer.dead_letter_per_s: messages of the handled type whose payload does not decode, all
  dead-lettered: the rate of the dead-letter path itself (batched sends, one wait per poll).

Observed on the shared 2-core machine (2026-11-28, load average 3-12 from other work): mixed topic
4,600-12,300 events/s (ratio to raw 0.33-0.57 when the load was under 5), dead letters 3,000-5,000/s.
The consumer before issue 11, same benchmark and load: 204 events/s and 128 dead letters/s.
"""

from __future__ import annotations

import asyncio
import time
import uuid

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.support import fresh_database
from shared import kafka
from shared.consumer import EventConsumer
from shared.envelope import Envelope
from shared.eventstore import backbone_metadata
from shared.registry import EventRegistry
from shared.testing.infra import Infra
from tests.backbone.support import WorkLogged

PARTITIONS = 6
HANDLED = 10_000  # WorkLogged events; as many again of each of the 3 other types
OTHER_TYPES = ("TechnicianAssigned", "VisitScheduled", "PartReserved")
POISON = 5_000


def _registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(WorkLogged)
    return registry


def _message(type_name: str, ticket: str, step: int, *, valid: bool = True) -> Envelope:
    data = {"ticket_id": ticket, "step": step if valid else "two", "occurred_at": "2026-11-28T12:00:00Z"}
    return Envelope(source="/bench", type=type_name, subject=ticket, data=data)


async def _produce(bootstrap: str, topic: str, envelopes: list[Envelope]) -> None:
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    try:
        futures = [
            await producer.send(
                topic, e.kafka_value(), key=(e.subject or "").encode(), headers=e.kafka_headers()
            )
            for e in envelopes
        ]
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def raw_consume_rate(bootstrap: str, topic: str, expected: int) -> float:
    reader = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    try:
        count, started = 0, time.perf_counter()
        while count < expected:
            for records in (await reader.getmany(timeout_ms=500, max_records=2000)).values():
                count += len(records)
        return count / (time.perf_counter() - started)
    finally:
        await reader.stop()


class _Counting(EventConsumer):
    """Keeps the offsets it committed, so the clock stops without asking the broker every few ms."""

    committed: dict[TopicPartition, int]

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        await super()._commit(offsets)
        self.committed.update(offsets)


async def consumer_rate(engine: AsyncEngine, bootstrap: str, topic: str, dlq: str, total: int) -> float:
    """Messages per second through an EventConsumer, from its first poll to its last commit."""
    producer = kafka.make_producer(bootstrap)
    await producer.start()

    async def apply(_conn, _event, _envelope) -> None:
        return None  # the processed_events row the consumer writes is the work

    consumer = _Counting(
        name=f"{topic}.group",
        topics=[topic],
        bootstrap_servers=bootstrap,
        engine=engine,
        registry=_registry(),
        handlers={"WorkLogged": apply},
        producer=producer,
        dead_letter_topic=dlq,
    )
    consumer.committed = {}
    await consumer.start()
    task = None
    try:
        while consumer._consumer is None or not consumer._consumer.assignment():  # noqa: ASYNC110, SLF001 - no assignment event
            await asyncio.sleep(0.01)
        started = time.perf_counter()
        task = asyncio.create_task(consumer.run())
        # The count is known: the embedded Tansu broker's end offsets stop at a partition's last batch.
        while sum(consumer.committed.values()) < total:
            if time.perf_counter() - started > 600 or task.done():
                raise RuntimeError(f"consumer stopped at {sum(consumer.committed.values())} of {total}")
            await asyncio.sleep(0.005)
        return total / (time.perf_counter() - started)
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await consumer.stop()
        await producer.stop()


async def _applied(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(text("SELECT count(*) FROM processed_events"))).scalar_one()


async def run(infra: Infra, _so_far: dict) -> dict[str, float]:
    bootstrap, prefix = infra.bootstrap_servers, f"benchc{uuid.uuid4().hex[:6]}."
    mixed, poison, dlq = prefix + "mixed", prefix + "poison", prefix + "dlq"
    await kafka.ensure_topics(bootstrap, [mixed, poison, dlq], partitions=PARTITIONS, replication_factor=1)
    engine = create_async_engine(await fresh_database(infra, "consumer"), pool_size=4)
    async with engine.begin() as conn:
        await conn.run_sync(backbone_metadata.create_all)
    try:
        envelopes = [
            _message(type_name, f"T-{i % 2000}", i)
            for i in range(HANDLED)
            for type_name in ("WorkLogged", *OTHER_TYPES)
        ]
        await _produce(bootstrap, mixed, envelopes)
        raw = await raw_consume_rate(bootstrap, mixed, len(envelopes))
        print(f"   raw consume: {raw:,.0f}/s", flush=True)
        rate = await consumer_rate(engine, bootstrap, mixed, dlq, len(envelopes))
        applied = await _applied(engine)
        assert applied == HANDLED, f"applied {applied} of {HANDLED}"
        print(f"   consumer, 1 of 4 types handled: {rate:,.0f} events/s", flush=True)
        bad = [_message("WorkLogged", f"T-{i}", i, valid=False) for i in range(POISON)]
        await _produce(bootstrap, poison, bad)
        dead = await consumer_rate(engine, bootstrap, poison, dlq, POISON)
        print(f"   consumer, every message dead-lettered: {dead:,.0f}/s", flush=True)
    finally:
        await engine.dispose()
    return {
        "raw.kafka_consume_per_s": raw,
        "consumer.mixed_topic_events_per_s": rate,
        "consumer.mixed_topic_ratio_to_raw": rate / raw,
        "consumer.dead_letter_per_s": dead,
    }
