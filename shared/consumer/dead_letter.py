"""Dead-letter topic: the original message, untouched, plus why it could not be processed."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter

DEAD_LETTERED = Counter("consumer_dead_lettered_total", "Messages sent to a DLQ", ["consumer", "reason"])


class DeadLetterQueue:
    def __init__(self, producer: AIOKafkaProducer, topic: str, consumer: str) -> None:
        self.producer = producer
        self.topic = topic
        self.consumer = consumer

    async def send(self, record: ConsumerRecord, *, reason: str, error: str) -> None:
        headers = list(record.headers or ()) + [
            ("dlq_reason", reason.encode()),
            ("dlq_error", error[:1000].encode()),
            ("dlq_consumer", self.consumer.encode()),
            ("dlq_source_topic", record.topic.encode()),
            ("dlq_source_partition", str(record.partition).encode()),
            ("dlq_source_offset", str(record.offset).encode()),
        ]
        await self.producer.send_and_wait(self.topic, value=record.value, key=record.key, headers=headers)
        DEAD_LETTERED.labels(self.consumer, reason).inc()
