"""Helpers shared by the benchmarks: fresh databases, percentiles, topic readers."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer

from shared.testing.infra import Infra


def plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def fresh_database(infra: Infra, label: str) -> str:
    name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain(infra.admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return infra.database_url(name)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def end_reader(bootstrap: str, topic: str, *, fetch_max_wait_ms: int) -> AIOKafkaConsumer:
    """A group-less consumer of every partition of `topic`, to be started with `start_at_end`."""
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=fetch_max_wait_ms,
    )


async def start_at_end(consumer: AIOKafkaConsumer) -> None:
    """Start it at the topic's current end, positions resolved: caught up before the load starts."""
    await consumer.start()
    while not consumer.assignment():  # noqa: ASYNC110 - aiokafka has no assignment event
        await asyncio.sleep(0.05)
    await consumer.seek_to_end()
    for partition in consumer.assignment():
        await consumer.position(partition)
