"""Small event types and helpers for the backbone tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.envelope import Envelope, EventMetadata
from shared.eventstore import EventStore
from shared.registry import EventRegistry


@dataclass(frozen=True, kw_only=True)
class WorkLogged:
    ticket_id: str
    step: int
    occurred_at: datetime


def now() -> datetime:
    return datetime.now(UTC)


def make_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(WorkLogged)
    return registry


def make_store(topic: str) -> EventStore:
    return EventStore(make_registry(), source="/tests", route=lambda _type: topic)


META = EventMetadata(correlation_id="corr-1", actor="tester")


async def append_steps(engine: AsyncEngine, store: EventStore, ticket_id: str, steps: range) -> None:
    async with engine.begin() as conn:
        await store.append(
            conn, stream_id=ticket_id, stream_type="ticket", expected_version=steps.start - 1,
            new_events=[WorkLogged(ticket_id=ticket_id, step=s, occurred_at=now()) for s in steps],
            metadata=META,
        )


async def create_applied_table(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(
            "CREATE TABLE applied (id bigserial primary key, event_id text, ticket_id text, step int)"
        ))


async def record_applied(conn: AsyncConnection, event: WorkLogged, envelope: Envelope) -> None:
    await conn.execute(
        text("INSERT INTO applied (event_id, ticket_id, step) VALUES (:e, :t, :s)"),
        {"e": str(envelope.id), "t": event.ticket_id, "s": event.step},
    )


async def applied_rows(engine: AsyncEngine) -> list[tuple[str, str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_id, ticket_id, step FROM applied ORDER BY id"))
        return [tuple(r) for r in rows]


async def wait_until(predicate, timeout_s: float = 20.0, interval_s: float = 0.05):
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        result = await predicate()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s (last: {result!r})")
        await asyncio.sleep(interval_s)


async def read_topic(bootstrap: str, topic: str, expected: int, timeout_s: float = 20.0) -> list:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(records) < expected and asyncio.get_running_loop().time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        # a short grace period to catch unexpected extra copies
        batch = await consumer.getmany(timeout_ms=500)
        for part in batch.values():
            records.extend(part)
    finally:
        await consumer.stop()
    return records
