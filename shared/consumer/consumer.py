"""Idempotent Kafka consumer: each event applied once, offsets committed after the database commit.

Per partition, a batch of messages is applied in one transaction with a savepoint per message; the
processed-events row is inserted first (ON CONFLICT DO NOTHING), so a redelivered event is skipped
inside the same transaction that would have applied it. A handler that keeps failing, and any message
that is not a valid registered event, goes to the dead-letter topic with the reason in its headers;
the consumer moves on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumer.dead_letter import DeadLetterQueue
from shared.envelope import Envelope
from shared.errors import MalformedEvent
from shared.eventstore.tables import processed_events
from shared.logs import correlation_id
from shared.registry import EventRegistry

log = logging.getLogger(__name__)

Handler = Callable[[AsyncConnection, Any, Envelope], Awaitable[None]]
APPLIED = Counter("consumer_events_applied_total", "Events applied by a consumer", ["consumer"])
DUPLICATES = Counter("consumer_duplicates_total", "Redelivered events skipped", ["consumer"])


class _HandlerFailed(Exception):
    pass


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        topics: Sequence[str],
        bootstrap_servers: str,
        engine: AsyncEngine,
        registry: EventRegistry,
        handlers: dict[str, Handler],
        producer: AIOKafkaProducer,
        dead_letter_topic: str,
        max_attempts: int = 3,
        retry_backoff_s: float = 0.2,
        on_applied: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.topics = list(topics)
        self.bootstrap_servers = bootstrap_servers
        self.engine = engine
        self.registry = registry
        self.handlers = handlers
        self.dlq = DeadLetterQueue(producer, dead_letter_topic, name)
        self.max_attempts = max_attempts
        self.retry_backoff_s = retry_backoff_s
        self.on_applied = on_applied
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=500,
        )
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def run(self) -> None:
        assert self._consumer is not None, "start() first"
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            for tp, records in batches.items():
                await self._process_partition(records)
                await self._commit(tp, records[-1].offset + 1)

    async def _commit(self, tp: TopicPartition, offset: int) -> None:
        try:
            await self._consumer.commit({tp: offset})  # type: ignore[union-attr]
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took the partition away: its new owner re-reads from the last commit and
            # the processed-events table skips what was already applied.
            log.warning("offset commit failed", extra={"consumer": self.name, "error": str(exc)})

    async def _process_partition(self, records: list[ConsumerRecord]) -> None:
        start = 0
        while start < len(records):
            failed_at = await self._apply_run(records, start)
            if failed_at is None:
                return
            await self._retry_alone(records[failed_at])
            start = failed_at + 1

    async def _apply_run(self, records: list[ConsumerRecord], start: int) -> int | None:
        """Apply records[start:] in one transaction; stop at the first handler failure."""
        applied = 0
        async with self.engine.connect() as conn:
            async with conn.begin():
                for index in range(start, len(records)):
                    try:
                        async with conn.begin_nested():
                            applied += await self._apply(conn, records[index])
                    except _HandlerFailed:
                        break
                else:
                    index = None
        if applied:
            APPLIED.labels(self.name).inc(applied)
            if self.on_applied is not None:
                self.on_applied()
        return index

    async def _retry_alone(self, record: ConsumerRecord) -> None:
        last_error = ""
        for attempt in range(2, self.max_attempts + 1):
            await asyncio.sleep(self.retry_backoff_s * attempt)
            try:
                async with self.engine.begin() as conn:
                    await self._apply(conn, record)
                return
            except _HandlerFailed as exc:
                last_error = str(exc.__cause__ or exc)
        await self.dlq.send(record, reason="handler_failed", error=last_error)

    async def _apply(self, conn: AsyncConnection, record: ConsumerRecord) -> int:
        """Returns 1 when the event was applied, 0 when skipped (duplicate, unhandled, dead-lettered)."""
        try:
            envelope = Envelope.from_kafka(record.headers, record.value)
            event = self.registry.decode(envelope)
        except MalformedEvent as exc:
            log.warning("dead-lettering malformed message", extra={"consumer": self.name, "error": str(exc)})
            await self.dlq.send(record, reason=exc.reason, error=str(exc))
            return 0
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return 0
        inserted = await conn.execute(
            pg_insert(processed_events)
            .values(consumer=self.name, event_id=str(envelope.id))
            .on_conflict_do_nothing()
            .returning(processed_events.c.event_id)
        )
        if inserted.first() is None:
            DUPLICATES.labels(self.name).inc()
            return 0
        token = correlation_id.set(envelope.correlationid)
        try:
            await handler(conn, event, envelope)
        except Exception as exc:
            log.exception("handler failed", extra={"consumer": self.name, "event_type": envelope.type})
            raise _HandlerFailed(str(exc)) from exc
        finally:
            correlation_id.reset(token)
        return 1
