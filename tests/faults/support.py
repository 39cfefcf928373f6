"""Helpers for the fault suite: a consumer on the real broker and PostgreSQL, messages of any type."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer

from shared import kafka
from shared.consumer import EventConsumer
from shared.envelope import Envelope, EventMetadata
from tests.backbone.support import WorkLogged, make_registry, now, record_applied


def work_logged(ticket_id: str, step: int) -> Envelope:
    return make_registry().envelope(
        WorkLogged(ticket_id=ticket_id, step=step, occurred_at=now()),
        source="/tests",
        subject=ticket_id,
        metadata=EventMetadata(),
    )


def foreign(type_name: str, subject: str, body: bytes) -> tuple[list[tuple[str, bytes]], bytes]:
    """A message of another service's type; its body is whatever the test wants (even garbage)."""
    envelope = Envelope(source="/elsewhere", type=type_name, subject=subject, data={})
    return envelope.kafka_headers(), body


async def topics(bootstrap: str, prefix: str, partitions: int = 1) -> AIOKafkaProducer:
    await kafka.ensure_topics(
        bootstrap, [prefix + "in", prefix + "dlq"], partitions=partitions, replication_factor=1
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    return producer


async def send(producer: AIOKafkaProducer, topic: str, envelope: Envelope, partition: int | None = None):
    await producer.send_and_wait(
        topic,
        envelope.kafka_value(),
        key=(envelope.subject or "").encode(),
        headers=envelope.kafka_headers(),
        partition=partition,
    )


class Running:
    """A started consumer and its task; `async with` stops both."""

    def __init__(self, consumer: EventConsumer, producer: AIOKafkaProducer) -> None:
        self.consumer, self.producer = consumer, producer
        self.task: asyncio.Task | None = None

    async def __aenter__(self) -> EventConsumer:
        await self.producer.start()
        await self.consumer.start()
        self.task = asyncio.create_task(self.consumer.run())
        return self.consumer

    async def __aexit__(self, *_exc) -> None:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.consumer.stop()
        await self.producer.stop()


def running(engine, bootstrap: str, prefix: str, *, handler=record_applied, group: str = "group", **kwargs):
    consumer = EventConsumer(
        name=prefix + group,
        topics=[prefix + "in"],
        bootstrap_servers=bootstrap,
        engine=engine,
        registry=make_registry(),
        handlers={"WorkLogged": handler},
        producer=(producer := kafka.make_producer(bootstrap)),
        dead_letter_topic=prefix + "dlq",
        retry_backoff_s=0.01,
        **kwargs,
    )
    return Running(consumer, producer)
