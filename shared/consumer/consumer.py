"""Idempotent Kafka consumer: each event applied once, offsets committed after the database commit.

A topic carries every event type of its producer, and a consumer handles a few of them. The type is
read from the `ce_type` header before anything is decoded: a type without a handler is skipped and
counted (`consumer_events_skipped_total`), never decoded and never dead-lettered (dead-lettering them
once buried real poison messages under thousands of "unknown type" letters and capped the consumer
near 350 events/s).

Each poll is applied in one transaction: the processed-events rows are inserted first
(ON CONFLICT DO NOTHING ... RETURNING), and only the events that insert claimed are handed to their
handlers, in partition order, in that same transaction; a redelivered event is skipped. If anything
fails, the poll is rolled back and re-applied one message per transaction, partition by partition,
and each failure is classified (shared.consumer.errors):

- transient (deadlock, lock or statement timeout, lost connection, a concurrency conflict): the
  partition is held at that event: sought back to it, paused, resumed after an exponential back-off,
  its offset not committed past it. Later events of that partition (the same tickets) wait; other
  partitions go on.
- deterministic (a message of a handled type that does not decode, a handler that keeps failing
  after `max_attempts`): dead-lettered with the reason in its headers; the partition moves on.
  `python -m shared.consumer.dlq` shows and replays what was dead-lettered.

An event that arrives before what it applies to (its handler raises `ArrivedEarly`) is neither
applied nor dropped: it is parked with its processed mark and re-applied once an event of its key is
applied (shared.consumer.parking).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.consumer.dead_letter import DeadLetterQueue
from shared.consumer.errors import is_transient
from shared.consumer.holds import PartitionHolds
from shared.consumer.parking import ParkedEvents
from shared.consumer.progress import OnProgress, poll_progress, topic_layout
from shared.consumer.work import ArrivedEarly, Handler, HandlerFailed, Work, handle
from shared.envelope import HEADER_PREFIX, Envelope
from shared.errors import MalformedEvent
from shared.registry import EventRegistry

log = logging.getLogger(__name__)

APPLIED = Counter("consumer_events_applied_total", "Events applied by a consumer", ["consumer"])
DUPLICATES = Counter("consumer_duplicates_total", "Redelivered events skipped", ["consumer"])
SKIPPED = Counter(
    "consumer_events_skipped_total", "Events of types the consumer has no handler for", ["consumer"]
)
TRANSIENT = Counter(
    "consumer_transient_failures_total", "Transient failures: partition held and retried", ["consumer"]
)
TYPE_HEADER = HEADER_PREFIX + "type"

_CLAIM = text(
    "INSERT INTO processed_events (consumer, event_id) "
    "SELECT :consumer, unnest(CAST(:ids AS text[])) ON CONFLICT DO NOTHING RETURNING event_id"
)


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
        transient_backoff_s: float = 0.1,
        transient_backoff_max_s: float = 30.0,
        on_progress: OnProgress | None = None,
    ) -> None:
        self.name = name
        self.topics = list(topics)
        self.bootstrap_servers = bootstrap_servers
        self.engine = engine
        self.registry = registry
        self.handlers = handlers
        self._handled_types = {type_name.encode() for type_name in handlers}
        self.dlq = DeadLetterQueue(producer, dead_letter_topic, name)
        self.parked = ParkedEvents(name, registry, handlers, self.dlq)  # events that arrived early
        self.max_attempts = max_attempts  # deterministic failures, before the DLQ
        self.retry_backoff_s = retry_backoff_s
        self.holds = PartitionHolds(transient_backoff_s, transient_backoff_max_s)  # transient failures
        self.on_applied = on_applied
        self.max_poll_records = max_poll_records  # events per transaction: smaller, lower latency
        self.on_progress = on_progress  # how far each partition is read, after each poll (progress.py)
        self._consumer: AIOKafkaConsumer | None = None
        self._committing: asyncio.Task[None] | None = None

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
        try:
            while True:
                self.holds.resume_due(self._consumer)
                started = time.monotonic()
                batches = await self._poll()
                if not batches:
                    await self._report_progress(batches, {}, started)
                    continue
                offsets = await self.process(batches)
                await self._report_progress(batches, offsets, started)
                await self.dlq.flush()  # dead letters durable before the offsets move past them
                # The commit travels while the next poll is applied; one in flight at a time, in order.
                if self._committing is not None:
                    await self._committing
                self._committing = asyncio.create_task(self._commit(offsets))
        finally:
            if self._committing is not None:
                await asyncio.wait([self._committing], timeout=5.0)  # the last one, if the broker answers

    async def _report_progress(
        self,
        batches: dict[TopicPartition, list[ConsumerRecord]],
        offsets: dict[TopicPartition, int],
        started: float,
    ) -> None:
        """After the poll's transaction committed: never ahead of what was applied."""
        if self.on_progress is not None and self._consumer is not None:
            progress = await poll_progress(self._consumer, batches, offsets, started)
            await self.on_progress(progress, topic_layout(self._consumer))

    async def _poll(self) -> dict[TopicPartition, list[ConsumerRecord]]:
        """Up to `max_poll_records` events to apply. On a topic where most types are skipped, records
        already fetched are added (up to 4 times as many in all), so a transaction is not spent on a
        handful of events."""
        consumer = self._consumer
        assert consumer is not None
        batches: dict[TopicPartition, list[ConsumerRecord]] = await consumer.getmany(
            timeout_ms=self.holds.poll_timeout_ms()
        )
        records, handled = self._count(batches)
        while batches and handled < self.max_poll_records and records < 4 * self.max_poll_records:
            more = await consumer.getmany(timeout_ms=0, max_records=self.max_poll_records)
            if not more:
                break
            more_records, more_handled = self._count(more)
            records, handled = records + more_records, handled + more_handled
            for tp, part in more.items():
                batches.setdefault(tp, []).extend(part)  # consecutive records of the partition
        return batches

    def _count(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> tuple[int, int]:
        records = [record for part in batches.values() for record in part]
        return len(records), sum(1 for record in records if self._handles(record))

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        """One request for every partition of the poll."""
        try:
            await self._consumer.commit(offsets)  # type: ignore[union-attr]
        except (CommitFailedError, KafkaError) as exc:
            # A rebalance took the partition away: its new owner re-reads from the last commit and
            # the processed-events table skips what was already applied.
            log.warning("offset commit failed", extra={"consumer": self.name, "error": str(exc)})

    async def process(self, batches: dict[TopicPartition, list[ConsumerRecord]]) -> dict[TopicPartition, int]:
        """Apply a poll; returns the offset to commit per partition (a held one: the event it waits at)."""
        offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
        work: dict[TopicPartition, list[Work]] = {}
        skipped = 0
        for tp, records in batches.items():
            work[tp] = []
            for record in records:
                if not self._handles(record):
                    skipped += 1
                elif (item := await self._decode(record)) is not None:
                    work[tp].append(item)
        if skipped:
            SKIPPED.labels(self.name).inc(skipped)
        items = [item for part in work.values() for item in part]
        if items:
            try:
                async with self.engine.begin() as conn:
                    applied = await self._apply(conn, items)
                self._applied(applied)
            except Exception as exc:  # noqa: BLE001 - classified per message below
                failed = exc.item if isinstance(exc, HandlerFailed) and not is_transient(exc) else None
                log.info("poll rolled back; applying one message at a time", extra={"consumer": self.name})
                for tp, part in work.items():
                    held_at = await self._apply_one_by_one(tp, part, failed)
                    if held_at is not None:
                        offsets[tp] = held_at
        self.holds.release_passed(offsets)
        return offsets

    def _handles(self, record: ConsumerRecord) -> bool:
        """From the headers alone: a type without a handler is not ours. A message without a type is
        not a CloudEvent at all, so it is decoded (and dead-lettered as malformed)."""
        for name, value in record.headers or ():
            if name == TYPE_HEADER:
                return value in self._handled_types
        return True

    async def _decode(self, record: ConsumerRecord) -> Work | None:
        """The message as an event to apply, or None: it does not decode, and was dead-lettered."""
        try:
            envelope = Envelope.from_kafka(record.headers, record.value)
            event = self.registry.decode(envelope)
        except MalformedEvent as exc:
            log.warning("dead-lettering malformed message", extra={"consumer": self.name, "error": str(exc)})
            await self.dlq.send(record, reason=exc.reason, error=str(exc))
            return None
        return Work(record, envelope, event, self.handlers[envelope.type])

    async def _apply(self, conn: AsyncConnection, items: list[Work]) -> int:
        """Insert-first de-duplication: only the ids this insert created are handled. Returns how many."""
        result = await conn.execute(_CLAIM, {"consumer": self.name, "ids": [item.event_id for item in items]})
        fresh = {row[0] for row in result}
        DUPLICATES.labels(self.name).inc(len(items) - len(fresh))
        applied = 0
        applied_keys: set[str] = set()
        for item in items:
            if item.event_id in fresh:
                fresh.discard(item.event_id)  # the same id twice in one poll: the first copy only
                try:
                    await handle(conn, item)
                except ArrivedEarly as early:  # kept with its processed mark (shared.consumer.parking)
                    await self.parked.park(conn, item.record, item.event_id, early)
                    continue
                applied += 1
                applied_keys |= item.keys
        if applied_keys:
            applied += await self.parked.release(conn, applied_keys)
        return applied

    def _applied(self, count: int) -> None:
        APPLIED.labels(self.name).inc(count)
        if count and self.on_applied is not None:
            self.on_applied()

    async def _apply_one_by_one(
        self, tp: TopicPartition, items: list[Work], failed: Work | None
    ) -> int | None:
        """Each message in its own transaction, in order; the offset the partition is held at, if any."""
        for item in items:
            # The poll's own failure counts as the failing message's first attempt.
            if not await self._apply_alone(item, attempts_used=1 if item is failed else 0):
                self.holds.hold(self._consumer, tp, item.record.offset)
                offset: int = item.record.offset
                return offset
        return None

    async def _apply_alone(self, item: Work, *, attempts_used: int) -> bool:
        """True once the message is applied, a duplicate, or dead-lettered; False: hold the partition."""
        error: BaseException | None = None
        for attempt in range(attempts_used + 1, self.max_attempts + 1):
            if attempt > 1:
                await asyncio.sleep(self.retry_backoff_s * attempt)
            try:
                async with self.engine.begin() as conn:
                    self._applied(await self._apply(conn, [item]))
                return True
            except Exception as exc:  # noqa: BLE001 - classified
                if is_transient(exc):
                    TRANSIENT.labels(self.name).inc()
                    log.warning(
                        "transient failure; holding the partition",
                        extra={"consumer": self.name, "event_type": item.envelope.type, "error": repr(exc)},
                    )
                    return False
                error = exc.__cause__ if isinstance(exc, HandlerFailed) else exc
                log.warning(
                    "handler failed",
                    exc_info=error,
                    extra={"consumer": self.name, "event_type": item.envelope.type, "attempt": attempt},
                )
        await self.dlq.send(item.record, reason="handler_failed", error=str(error or "failed"))
        return True
