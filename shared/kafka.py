"""aiokafka plumbing shared by the relay, the consumers and readiness checks."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


def make_producer(bootstrap_servers: str, *, idempotent: bool = False) -> AIOKafkaProducer:
    # acks=all and one in-flight batch per partition keep per-key order across retries. The
    # idempotent producer is a setting: Apache Kafka supports it, the embedded Tansu broker does not.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        acks="all",
        enable_idempotence=idempotent,
        linger_ms=2,
        request_timeout_ms=15000,
    )


async def ensure_topics(
    bootstrap_servers: str, topics: list[str], *, partitions: int, replication_factor: int
) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in topics if t not in existing]
        if not missing:
            return
        with contextlib.suppress(TopicAlreadyExistsError):  # another instance created it first
            await admin.create_topics(
                [
                    NewTopic(t, num_partitions=partitions, replication_factor=replication_factor)
                    for t in missing
                ]
            )
        log.info("created topics", extra={"topics": missing})
    finally:
        await admin.close()


async def broker_reachable(producer: AIOKafkaProducer, timeout_s: float = 2.0) -> bool:
    try:
        async with asyncio.timeout(timeout_s):
            await producer.client.fetch_all_metadata()
        return True
    except Exception:  # noqa: BLE001 - readiness reports any failure as not ready
        return False
