"""Waiting for asynchronous effects in tests: poll a condition, read a topic."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.envelope import Envelope

T = TypeVar("T")


async def wait_until(
    predicate: Callable[[], Awaitable[T]], timeout_s: float = 20.0, interval_s: float = 0.05
) -> T:
    """Await `predicate()` until it returns something truthy; fail after `timeout_s`."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        result = await predicate()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met within {timeout_s}s (last: {result!r})")
        await asyncio.sleep(interval_s)


async def read_topic(bootstrap: str, topic: str, expected: int, timeout_s: float = 20.0) -> list[Any]:
    """Every record of `topic` from the start, once `expected` arrived (plus a grace period)."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    records: list[Any] = []
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


def envelopes(records: list[Any]) -> list[Envelope]:
    return [Envelope.from_kafka(r.headers, r.value) for r in records]


async def publish(
    bootstrap: str, topic: str, *, type_: str, subject: str, data: dict[str, Any], source: str = "/tests"
) -> Envelope:
    """Put one CloudEvent on a topic, as another service would."""
    envelope = Envelope(source=source, type=type_, subject=subject, data=data)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic, envelope.kafka_value(), key=subject.encode(), headers=envelope.kafka_headers()
        )
    finally:
        await producer.stop()
    return envelope
