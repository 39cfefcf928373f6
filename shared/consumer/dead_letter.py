"""Dead-letter topic: the original message, untouched, plus why it could not be processed.

Sends are not awaited one by one (a serial `send_and_wait` per message capped a consumer near 350
messages/s): each is handed to the producer's batching, and `flush` waits for all of them, which the
consumer does before it commits the offsets past them, so a dead letter is never lost.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter

DEAD_LETTERED = Counter("consumer_dead_lettered_total", "Messages sent to a DLQ", ["consumer", "reason"])

# Headers the DLQ adds; the replay command strips them again (shared.consumer.dlq).
REASON, ERROR, CONSUMER = "dlq_reason", "dlq_error", "dlq_consumer"
SOURCE_TOPIC, SOURCE_PARTITION = "dlq_source_topic", "dlq_source_partition"
SOURCE_OFFSET = "dlq_source_offset"
DLQ_HEADERS = frozenset({REASON, ERROR, CONSUMER, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET})


class DeadLetterQueue:
    def __init__(self, producer: AIOKafkaProducer, topic: str, consumer: str) -> None:
        self.producer = producer
        self.topic = topic
        self.consumer = consumer
        self._pending: list[asyncio.Future[object]] = []

    async def send(self, record: ConsumerRecord, *, reason: str, error: str) -> None:
        """Queue the message for the DLQ; it is durable once `flush` returns."""
        headers = [(k, v) for k, v in record.headers or () if k not in DLQ_HEADERS] + [
            (REASON, reason.encode()),
            (ERROR, error[:1000].encode()),
            (CONSUMER, self.consumer.encode()),
            (SOURCE_TOPIC, record.topic.encode()),
            (SOURCE_PARTITION, str(record.partition).encode()),
            (SOURCE_OFFSET, str(record.offset).encode()),
        ]
        self._pending.append(
            await self.producer.send(self.topic, value=record.value, key=record.key, headers=headers)
        )
        DEAD_LETTERED.labels(self.consumer, reason).inc()

    async def flush(self) -> None:
        """Wait until every queued dead letter is acknowledged; raises if one could not be written."""
        pending, self._pending = self._pending, []
        if pending:
            await asyncio.gather(*pending)
