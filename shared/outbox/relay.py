"""Publishes committed outbox rows to Kafka in id order, keyed by stream id, then marks them sent.

Why it cannot skip a row that commits late: it never keeps a high-water mark. Each pass reads the rows
still unpublished (`published_at IS NULL`), in id order; a row whose transaction committed after a
higher id was already published is simply found on the next pass. Per-stream order still holds:
the (stream_id, version) key means a stream's next event can only be inserted after the previous one
committed, so within a stream id order is commit order.

One relay per database publishes at a time (a PostgreSQL advisory lock held by the leader's "lock
session"); other replicas stand by. Every read and mark proves, in the same statement, that the lock
session still holds the lock (see `fencing`): a relay whose session died stops at its next pass, and
never marks a batch after another relay took over. The lock session has short TCP keepalives, and is
also checked every `leadership_check_s` while idle.
The leader wakes when an append commits (the append statement NOTIFYs; any process) and otherwise
polls every `idle_poll_s`.
A crash between publish and mark re-publishes the batch: consumers de-duplicate by event id.

A row the broker refuses for good (too large, invalid topic) is parked with its error (an ERROR log
and `outbox_parked_total`), and only its stream (topic, key) waits behind it: later rows of that key
are neither read nor sent until an operator fixes the cause and clears `parked_at`; other streams go
on. Within a pass, a key stops being sent at its first refused row. A partly failed pass marks every
row the broker acknowledged, so nothing acknowledged is published again; the rest is retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import zlib

from aiokafka import AIOKafkaProducer
from aiokafka import errors as kafka_errors
from prometheus_client import Counter, Gauge
from sqlalchemy import LargeBinary, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import NOTIFY_CHANNEL
from shared.outbox.fencing import LEADING, set_keepalives

log = logging.getLogger(__name__)

PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka", ["service"])
PARKED = Counter("outbox_parked_total", "Outbox rows the broker refused for good, parked", ["service"])
BACKLOG = Gauge("outbox_last_batch_size", "Rows in the relay's last batch", ["service"])

# The broker will refuse these again whatever we do: park the row instead of retrying it forever.
# Anything else (broker away, leader moving, timeouts) is retried on the next pass.
_PERMANENT = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidTopicError,
    kafka_errors.TopicAuthorizationFailedError,
    kafka_errors.UnsupportedForMessageFormatError,
    kafka_errors.CorruptRecordException,
    TypeError,
    ValueError,
)

# Test-only fault injection: SIGKILL this process at a named point (see the crash tests).
_CRASH_POINT_ENV = "SERVICEPACT_RELAY_CRASH_AT"


# Built once: the relay runs them in a tight loop. Always one row (`holds_lock`), even with nothing to send.
_UNPUBLISHED = text(
    f"""
    WITH fence AS (SELECT {LEADING} AS holds_lock)
    SELECT fence.holds_lock, r.id, r.topic, r.key, r.headers, r.payload
    FROM fence LEFT JOIN LATERAL (
        SELECT o.id, o.topic, o.key, o.headers, o.payload FROM outbox o
        WHERE fence.holds_lock AND o.published_at IS NULL AND o.parked_at IS NULL
          AND NOT EXISTS (
              SELECT FROM outbox p
              WHERE p.parked_at IS NOT NULL AND p.published_at IS NULL
                AND p.topic = o.topic AND p.key IS NOT DISTINCT FROM o.key)
        ORDER BY o.id
        LIMIT :limit
    ) r ON true
    ORDER BY r.id
    """
).columns(headers=JSONB, payload=LargeBinary)
_SETTLE = text(
    f"""
    WITH fence AS (SELECT {LEADING} AS holds_lock),
    marked AS (
        UPDATE outbox SET published_at = now()
        WHERE id = ANY(CAST(:sent AS bigint[])) AND (SELECT holds_lock FROM fence)
        RETURNING 1
    ), parked AS (
        UPDATE outbox o SET parked_at = now(), park_error = p.error
        FROM unnest(CAST(:parked AS bigint[]), CAST(:errors AS text[])) AS p(id, error)
        WHERE o.id = p.id AND (SELECT holds_lock FROM fence)
        RETURNING 1
    )
    SELECT holds_lock FROM fence
    """
)


def _crash_point(name: str) -> None:
    if os.environ.get(_CRASH_POINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class LeadershipLost(Exception):
    """The session holding the relay's advisory lock is gone: another replica may lead now."""


class PassIncomplete(Exception):
    """Some rows of a pass were not acknowledged (broker away?): marked what was, retry the rest."""


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        producer: AIOKafkaProducer,
        *,
        service: str,
        batch_size: int = 500,
        idle_poll_s: float = 0.1,
        leadership_check_s: float = 5.0,
    ) -> None:
        self.engine = engine
        self.producer = producer
        self.service = service
        self.batch_size = batch_size
        self.idle_poll_s = idle_poll_s
        self.leadership_check_s = leadership_check_s
        self.leader_pid: int | None = None  # the PostgreSQL backend holding the lock, while leading
        self.published = 0  # rows this relay had acknowledged by the broker (all passes)
        self._wake = asyncio.Event()
        self._lock_key = zlib.crc32(f"outbox-relay:{service}".encode())

    def wake(self) -> None:
        """Called after a local commit so the event leaves at once instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        async with self.engine.connect() as lock_conn:
            await set_keepalives(lock_conn)
            await self._become_leader(lock_conn)
            # Commits in any process wake the leader at once (the append statement NOTIFYs).
            listener = (await lock_conn.get_raw_connection()).driver_connection
            assert listener is not None
            await listener.add_listener(NOTIFY_CHANNEL, self._notified)
            loop = asyncio.get_running_loop()
            check_at = loop.time() + self.leadership_check_s
            try:
                while True:
                    if loop.time() >= check_at:
                        await self._check_leadership(lock_conn)
                        check_at = loop.time() + self.leadership_check_s
                    self._wake.clear()  # before reading: a commit during the pass triggers another
                    try:
                        sent = await self.publish_batch()
                    except LeadershipLost:
                        raise
                    except Exception:  # broker or database away: keep the rows, try again
                        log.exception("outbox relay pass failed", extra={"service": self.service})
                        await asyncio.sleep(1.0)
                        continue
                    if sent < self.batch_size:
                        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation
                        # that lands as the wake-up does, and the relay would never stop.
                        with contextlib.suppress(TimeoutError):
                            async with asyncio.timeout(self.idle_poll_s):
                                await self._wake.wait()
            finally:
                # The connection goes back to the pool: it must not keep the leadership or listen.
                await asyncio.shield(self._resign(lock_conn, listener))

    def _notified(self, *_args) -> None:
        self._wake.set()

    async def _check_leadership(self, lock_conn) -> None:
        try:
            async with asyncio.timeout(max(self.leadership_check_s, 5.0)):
                await lock_conn.execute(text("SELECT 1"))
                await lock_conn.commit()
        except Exception as exc:
            log.error("outbox relay lost its lock session", extra={"service": self.service})
            raise LeadershipLost(self.service) from exc

    async def _resign(self, lock_conn, listener) -> None:
        self.leader_pid = None
        try:
            await listener.remove_listener(NOTIFY_CHANNEL, self._notified)
            await lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_key})
            await lock_conn.commit()
        except Exception:  # the session is gone, and its lock with it
            log.warning("outbox relay resigned without its session", extra={"service": self.service})

    async def _become_leader(self, lock_conn) -> None:
        while True:
            got = (
                await lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_key})
            ).scalar_one()
            await lock_conn.commit()
            if got:
                self.leader_pid = (await lock_conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
                await lock_conn.commit()
                log.info(
                    "outbox relay is the leader", extra={"service": self.service, "pid": self.leader_pid}
                )
                return
            await asyncio.sleep(1.0)

    def _fence(self) -> dict:
        return {"pid": self.leader_pid, "key": self._lock_key}

    async def publish_batch(self) -> int:
        """One pass: rows published or parked (raises `LeadershipLost`, or `PassIncomplete` after
        marking what the broker acknowledged)."""
        async with self.engine.connect() as conn:
            read = (await conn.execute(_UNPUBLISHED, {"limit": self.batch_size, **self._fence()})).all()
            await conn.rollback()
        if not read[0].holds_lock:
            self._lost("read")
        rows = [row for row in read if row.id is not None]
        if not rows:
            BACKLOG.labels(self.service).set(0)
            return 0
        _crash_point("before_publish")
        refused: dict[int, BaseException] = {}
        sending: list[tuple[int, asyncio.Future]] = []
        held: set[tuple[str, str | None]] = set()  # streams with a refused row in this pass
        for row in rows:
            if (row.topic, row.key) in held:
                continue  # never overtake it: sent after it, next pass or once it is released
            try:
                delivery = await self.producer.send(
                    row.topic,
                    value=row.payload,
                    key=row.key.encode() if row.key is not None else None,
                    headers=[(name, value.encode()) for name, value in row.headers.items()],
                )
            except Exception as exc:  # refused before leaving (too large for the producer, say)
                refused[row.id] = exc
                held.add((row.topic, row.key))
                if not isinstance(exc, _PERMANENT):
                    break  # no metadata, producer closed...: the rest waits for the next pass
                continue
            sending.append((row.id, delivery))
        acks = await asyncio.gather(*(delivery for _, delivery in sending), return_exceptions=True)
        sent = []
        for (row_id, _), ack in zip(sending, acks, strict=True):
            if isinstance(ack, BaseException):
                refused[row_id] = ack
            else:
                sent.append(row_id)
        _crash_point("after_publish")
        parked = {row_id: exc for row_id, exc in refused.items() if isinstance(exc, _PERMANENT)}
        await self._settle(sent, parked, rows)
        self.published += len(sent)
        PUBLISHED.labels(self.service).inc(len(sent))
        BACKLOG.labels(self.service).set(len(rows))
        retried = len(refused) - len(parked)
        if retried:
            first = next(exc for row_id, exc in refused.items() if row_id not in parked)
            raise PassIncomplete(f"{retried} rows not acknowledged, retried next pass: {first!r}")
        return len(sent) + len(parked)

    async def _settle(self, sent: list[int], parked: dict[int, BaseException], rows) -> None:
        async with self.engine.begin() as conn:
            # Losing this mark in a crash only re-publishes (consumers de-duplicate), so it need not
            # wait for the WAL flush.
            await conn.execute(text("SET LOCAL synchronous_commit = off"))
            leading = (
                await conn.execute(
                    _SETTLE,
                    {
                        "sent": sent,
                        "parked": list(parked),
                        "errors": [f"{type(exc).__name__}: {exc}"[:2000] for exc in parked.values()],
                        **self._fence(),
                    },
                )
            ).scalar_one()
        if not leading:
            self._lost("mark")
        by_id = {row.id: row for row in rows}
        for row_id, exc in parked.items():
            row = by_id[row_id]
            PARKED.labels(self.service).inc()
            log.error(
                "outbox row parked: the broker refuses it; its stream waits until it is released",
                extra={
                    "service": self.service,
                    "outbox_id": row_id,
                    "topic": row.topic,
                    "key": row.key,
                    "error": repr(exc),
                },
            )

    def _lost(self, where: str) -> None:
        log.error("outbox relay no longer holds its lock", extra={"service": self.service, "at": where})
        self.leader_pid = None
        raise LeadershipLost(self.service)
