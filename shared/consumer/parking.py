"""Events that arrive before what they apply to: kept (parked) and applied when it appears.

Topics are ordered only within themselves: an SLA escalation (sla topic) can be read before its
ticket's TicketOpened (intake topic), by lag, a rebalance or a restart. A handler that needs
something not known yet raises `ArrivedEarly(key=<ticket id>, waiting_for=...)` BEFORE writing
anything. The consumer then stores the whole message in `parked_events`, in the same transaction as
its processed-events mark (a redelivery is still skipped, so it is never parked twice), and goes on.

When the consumer later applies an event whose key (the Kafka record key or the CloudEvents subject,
both the ticket id) has parked events, it re-applies them, oldest first, right after, in the same
transaction, deleting their rows; one that still arrives early is parked again with its original
time. The lookup is one `DELETE ... WHERE consumer = :c AND key = ANY(:keys) RETURNING` per poll,
after the poll's handlers ran, on a primary-key index that is empty while nothing is parked. There is
no in-memory "nothing parked" shortcut: replicas of a consumer group share the parked rows, and one
replica may park (for key T) what another replica's partition (T's TicketOpened, on another topic)
has to release; a flag refreshed at start would miss it and lose the escalation for good.

Concurrency: a replica parking an escalation while another is applying its TicketOpened could each
miss the other's uncommitted write (READ COMMITTED). Handlers that serialise per ticket (an advisory
transaction lock on the ticket, taken before they read it: issue 11 item 4) close that window,
because the lookup runs after the handlers, so after the lock was granted.

A parked event that fails for good when re-applied (no handler any more, does not decode, handler
error) is dead-lettered and its processed-events mark removed, so a DLQ replay applies it. A
transient failure aborts the poll, which is retried and held like any other (shared.consumer.errors).
Parked rows are never pruned by retention (shared.retention prunes only the tables it lists): an
event parked for ever is a question for an operator (`consumer_events_parked_total`, the log line,
the table), not something to drop silently.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.consumer.dead_letter import DeadLetterQueue
from shared.consumer.errors import is_transient
from shared.consumer.work import ArrivedEarly, Handler, HandlerFailed, Work, handle
from shared.envelope import Envelope
from shared.errors import MalformedEvent
from shared.registry import EventRegistry

log = logging.getLogger(__name__)

PARKED = Counter("consumer_events_parked_total", "Events kept because they arrived early", ["consumer"])
UNPARKED = Counter(
    "consumer_events_unparked_total", "Parked events applied once what they waited for appeared", ["consumer"]
)


@dataclass(frozen=True)
class Parked:
    id: int
    key: str
    record: ConsumerRecord
    parked_at: datetime

    event_id: str


_PARK = text(
    'INSERT INTO parked_events (consumer, key, event_id, topic, record_key, partition, "offset",'
    " headers, value, parked_at, reason)"
    " VALUES (:consumer, :key, :event_id, :topic, :record_key, :partition, :offset, CAST(:headers AS jsonb),"
    " :value, coalesce(:parked_at, now()), :reason)"
)
_RELEASE = text(
    "DELETE FROM parked_events WHERE consumer = :consumer AND key = ANY(CAST(:keys AS text[]))"
    ' RETURNING id, key, event_id, topic, record_key, partition, "offset", headers, value, parked_at'
)
_FORGET = text("DELETE FROM processed_events WHERE consumer = :consumer AND event_id = :event_id")


def _headers_json(headers: Iterable[tuple[str, bytes]] | None) -> str:
    return json.dumps([[name, base64.b64encode(value or b"").decode()] for name, value in headers or ()])


def _headers_from(stored: list[list[str]]) -> list[tuple[str, bytes]]:
    return [(name, base64.b64decode(value)) for name, value in stored]


async def insert_parked(
    conn: AsyncConnection,
    consumer: str,
    record: ConsumerRecord,
    event_id: str,
    early: ArrivedEarly,
    parked_at: datetime | None = None,
) -> None:
    await conn.execute(
        _PARK,
        {
            "consumer": consumer,
            "key": early.key,
            "event_id": event_id,
            "topic": record.topic,
            "record_key": record.key,
            "partition": record.partition,
            "offset": record.offset,
            "headers": _headers_json(record.headers),
            "value": record.value or b"",
            "parked_at": parked_at,
            "reason": str(early),
        },
    )
    if parked_at is None:  # a first parking, not a re-parking after a release
        PARKED.labels(consumer).inc()
        log.info(
            "event arrived early; parked",
            extra={
                "consumer": consumer,
                "key": early.key,
                "waiting_for": early.waiting_for,
                "topic": record.topic,
                "offset": record.offset,
            },
        )


async def take_parked(conn: AsyncConnection, consumer: str, keys: Iterable[str]) -> list[Parked]:
    """Take every parked event of these keys out of the table, oldest first."""
    rows = await conn.execute(_RELEASE, {"consumer": consumer, "keys": sorted(set(keys))})
    parked = [
        Parked(
            row.id,
            row.key,
            ConsumerRecord(
                topic=row.topic,
                partition=row.partition,
                offset=row.offset,
                timestamp=0,
                timestamp_type=0,
                key=row.record_key,
                value=bytes(row.value),
                checksum=None,
                serialized_key_size=len(row.record_key or b""),
                serialized_value_size=len(row.value),
                headers=_headers_from(row.headers),
            ),
            row.parked_at,
            row.event_id,
        )
        for row in rows
    ]
    return sorted(parked, key=lambda p: p.id)


async def forget(conn: AsyncConnection, consumer: str, event_id: str) -> None:
    """Remove a dead-lettered parked event's processed mark, so that a DLQ replay applies it."""
    await conn.execute(_FORGET, {"consumer": consumer, "event_id": event_id})


class ParkedEvents:
    """One consumer's parked events: parking one, and releasing those of keys just applied."""

    def __init__(
        self, consumer: str, registry: EventRegistry, handlers: dict[str, Handler], dlq: DeadLetterQueue
    ) -> None:
        self.consumer = consumer
        self.registry = registry
        self.handlers = handlers
        self.dlq = dlq

    async def park(self, conn: AsyncConnection, record: ConsumerRecord, event_id: str, early: ArrivedEarly):
        await insert_parked(conn, self.consumer, record, event_id, early)

    async def release(self, conn: AsyncConnection, keys: set[str]) -> int:
        """Re-apply the events parked for these keys, oldest first; returns how many were applied.
        Another round while a round applied something and left some of its keys parked."""
        applied = 0
        while keys:
            progress, still_early = False, set()
            for parked in await take_parked(conn, self.consumer, keys):
                outcome = await self._reapply(conn, parked)
                if outcome is None:
                    still_early.add(parked.key)
                elif outcome:
                    progress, applied = True, applied + 1
            keys = still_early if progress else set()
        return applied

    async def _reapply(self, conn: AsyncConnection, parked: Parked) -> bool | None:
        """True: applied; False: dead-lettered; None: still early, parked again."""
        record = parked.record
        try:
            envelope = Envelope.from_kafka(record.headers, record.value)
            item = Work(record, envelope, self.registry.decode(envelope), self.handlers[envelope.type])
        except (MalformedEvent, KeyError) as exc:
            await self._dead_letter(conn, parked, "malformed", exc)
            return False
        try:
            async with conn.begin_nested():  # a failure here must not undo the event that released it
                await handle(conn, item)
        except ArrivedEarly as early:
            await insert_parked(
                conn, self.consumer, record, parked.event_id, early, parked_at=parked.parked_at
            )
            return None
        except HandlerFailed as exc:
            if is_transient(exc):
                raise  # the whole poll is retried, its partition held
            await self._dead_letter(conn, parked, "handler_failed", exc.__cause__ or exc)
            return False
        UNPARKED.labels(self.consumer).inc()
        return True

    async def _dead_letter(
        self, conn: AsyncConnection, parked: Parked, reason: str, error: BaseException
    ) -> None:
        log.warning(
            "parked event failed when re-applied; dead-lettering",
            extra={"consumer": self.consumer, "key": parked.key, "error": repr(error)},
        )
        await forget(conn, self.consumer, parked.event_id)  # so that a DLQ replay applies it
        await self.dlq.send(parked.record, reason=reason, error=str(error))
