"""Idempotent Kafka consumer: each event applied once, offsets committed after the database commit.

Each poll is applied in one transaction: the processed-events rows are inserted first
(ON CONFLICT DO NOTHING ... RETURNING), and only the events that insert claimed are handed to their
handlers, in partition order, in that same transaction; a redelivered event is skipped. If a handler
fails, the poll is rolled back and re-applied one message per transaction, so only the failing message
is retried. A handler that keeps failing, and any message
that is not a valid registered event, goes to the dead-letter topic with the reason in its headers;
the consumer moves on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumer.dead_letter import DeadLetterQueue
from shared.envelope import Envelope
from shared.errors import MalformedEvent
from shared.logs import correlation_id
from shared.registry import EventRegistry

log = logging.getLogger(__name__)

Handler = Callable[[AsyncConnection, Any, Envelope], Awaitable[None]]
APPLIED = Counter("consumer_events_applied_total", "Events applied by a consumer", ["consumer"])
DUPLICATES = Counter("consumer_duplicates_total", "Redelivered events skipped", ["consumer"])


_CLAIM = text(
    "INSERT INTO processed_events (consumer, event_id) "
    "SELECT :consumer, unnest(CAST(:ids AS text[])) ON CONFLICT DO NOTHING RETURNING event_id"
)


class _HandlerFailed(Exception):
    def __init__(self, item: _Work, message: str) -> None:
        super().__init__(message)
        self.item = item


@dataclass(frozen=True)
class _Work:
    record: ConsumerRecord
    envelope: Envelope
    event: Any
    handler: Handler

    @property
    def event_id(self) -> str:
        return str(self.envelope.id)


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
        max_poll_records: int = 500,
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
        self.max_poll_records = max_poll_records  # one poll = one transaction: smaller polls, lower latency
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        self._consumer = AIOKafkaConsumer(
            *self.topics,
            bootstrap_servers=self.bootstrap_servers,
            group_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=self.max_poll_records,
        )
        await self._consumer.start()

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()

    async def run(self) -> None:
        assert self._consumer is not None, "start() first"
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            if not batches:
                continue
            await self.process(batches)
            await self._commit({tp: records[-1].offset + 1 for tp, records in batches.items()})

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        """One request for every partition of the poll."""
        try:
            await self._consumer.commit(offsets)  # type: ignore[union-attr]
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took the partition away: its new owner re-reads from the last commit and
            # the processed-events table skips what was already applied.
            log.warning("offset commit failed", extra={"consumer": self.name, "error": str(exc)})

    async def process(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """Fast path: the whole poll in one transaction. If a handler fails, redo it carefully."""
        work: list[_Work] = []
        for records in batches.values():
            for record in records:
                item = await self._decode(record)
                if item is not None:
                    work.append(item)
        if not work:
            return
        try:
            async with self.engine.begin() as conn:
                fresh = await self._claim(conn, work)
                for item in work:
                    if item.event_id in fresh:
                        fresh.discard(item.event_id)
                        await self._handle(conn, item)
        except _HandlerFailed as failure:
            # Rolled back as a whole; apply one message at a time so only the bad one is retried
            # (its failure here counts as its first attempt).
            await self._apply_one_by_one(work, failed=failure.item)
            return
        self._applied(len(work))

    async def _decode(self, record: ConsumerRecord) -> _Work | None:
        """A message this consumer should apply, or None (dead-lettered, or not ours)."""
        try:
            envelope = Envelope.from_kafka(record.headers, record.value)
            event = self.registry.decode(envelope)
        except MalformedEvent as exc:
            log.warning("dead-lettering malformed message", extra={"consumer": self.name, "error": str(exc)})
            await self.dlq.send(record, reason=exc.reason, error=str(exc))
            return None
        handler = self.handlers.get(envelope.type)
        if handler is None:
            return None
        return _Work(record, envelope, event, handler)

    async def _claim(self, conn: AsyncConnection, work: list[_Work]) -> set[str]:
        """Insert-first de-duplication: only the ids this insert created are applied."""
        result = await conn.execute(_CLAIM, {"consumer": self.name, "ids": [item.event_id for item in work]})
        claimed = {row[0] for row in result}
        DUPLICATES.labels(self.name).inc(len(work) - len(claimed))
        return claimed

    async def _handle(self, conn: AsyncConnection, item: _Work) -> None:
        token = correlation_id.set(item.envelope.correlationid)
        try:
            await item.handler(conn, item.event, item.envelope)
        except Exception as exc:
            log.exception("handler failed", extra={"consumer": self.name, "event_type": item.envelope.type})
            raise _HandlerFailed(item, str(exc)) from exc
        finally:
            correlation_id.reset(token)

    def _applied(self, count: int) -> None:
        APPLIED.labels(self.name).inc(count)
        if self.on_applied is not None:
            self.on_applied()

    async def _apply_one_by_one(self, work: list[_Work], failed: _Work) -> None:
        for item in work:
            if item is not failed:
                try:
                    async with self.engine.begin() as conn:
                        await self._apply_one(conn, item)
                    continue
                except _HandlerFailed:
                    pass
            await self._retry_alone(item)

    async def _retry_alone(self, item: _Work) -> None:
        last_error = ""
        for attempt in range(2, self.max_attempts + 1):
            await asyncio.sleep(self.retry_backoff_s * attempt)
            try:
                async with self.engine.begin() as conn:
                    await self._apply_one(conn, item)
                return
            except _HandlerFailed as exc:
                last_error = str(exc.__cause__ or exc)
        await self.dlq.send(item.record, reason="handler_failed", error=last_error)

    async def _apply_one(self, conn: AsyncConnection, item: _Work) -> None:
        if await self._claim(conn, [item]):
            await self._handle(conn, item)
            self._applied(1)
