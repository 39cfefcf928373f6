"""Publishes committed outbox rows to Kafka in id order, keyed by stream id, then marks them sent.

Why it cannot skip a row that commits late: it never keeps a high-water mark. Each pass reads the rows
still unpublished (`published_at IS NULL`), in id order; a row whose transaction committed after a
higher id was already published is simply found on the next pass. Per-stream order still holds:
the (stream_id, version) key means a stream's next event can only be inserted after the previous one
committed, so within a stream id order is commit order.

One relay per database publishes at a time (a PostgreSQL advisory lock); other replicas stand by.
The lock lives as long as the leader's session: every `leadership_check_s` the leader checks that
session, and if it is gone (database restart, network cut, terminated backend) it stops publishing and
raises `LeadershipLost` (the service's supervisor restarts it as a candidate).
The leader wakes when an append commits (the append statement NOTIFYs; any process) and otherwise
polls every `idle_poll_s`.
A crash between publish and mark re-publishes the batch: consumers de-duplicate by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import zlib

from aiokafka import AIOKafkaProducer
from prometheus_client import Counter, Gauge
from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore.store import NOTIFY_CHANNEL
from shared.eventstore.tables import outbox

log = logging.getLogger(__name__)

PUBLISHED = Counter("outbox_published_total", "Outbox rows published to Kafka", ["service"])
BACKLOG = Gauge("outbox_last_batch_size", "Rows in the relay's last batch", ["service"])

# Test-only fault injection: SIGKILL this process at a named point (see the crash tests).
_CRASH_POINT_ENV = "SERVICEPACT_RELAY_CRASH_AT"


# Built once: the relay runs them in a tight loop.
_UNPUBLISHED = (
    select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.headers, outbox.c.payload)
    .where(outbox.c.published_at.is_(None))
    .order_by(outbox.c.id)
    .limit(bindparam("limit"))
)
_MARK_SENT = text("UPDATE outbox SET published_at = now() WHERE id = ANY(CAST(:ids AS bigint[]))")


def _crash_point(name: str) -> None:
    if os.environ.get(_CRASH_POINT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


class LeadershipLost(Exception):
    """The session holding the relay's advisory lock is gone: another replica may lead now."""


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
        self._wake = asyncio.Event()
        self._lock_key = zlib.crc32(f"outbox-relay:{service}".encode())

    def wake(self) -> None:
        """Called after a local commit so the event leaves at once instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        async with self.engine.connect() as lock_conn:
            await self._become_leader(lock_conn)
            # Commits in any process wake the leader at once (the append statement NOTIFYs).
            listener = (await lock_conn.get_raw_connection()).driver_connection
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

    async def publish_batch(self) -> int:
        async with self.engine.connect() as conn:
            rows = (await conn.execute(_UNPUBLISHED, {"limit": self.batch_size})).all()
            await conn.rollback()
        if not rows:
            BACKLOG.labels(self.service).set(0)
            return 0
        _crash_point("before_publish")
        deliveries = [
            await self.producer.send(
                row.topic,
                value=row.payload,
                key=row.key.encode() if row.key is not None else None,
                headers=[(name, value.encode()) for name, value in row.headers.items()],
            )
            for row in rows
        ]
        await asyncio.gather(*deliveries)
        _crash_point("after_publish")
        async with self.engine.begin() as conn:
            # Losing this mark in a crash only re-publishes (consumers de-duplicate), so it need not
            # wait for the WAL flush.
            await conn.execute(text("SET LOCAL synchronous_commit = off"))
            await conn.execute(_MARK_SENT, {"ids": [row.id for row in rows]})
        PUBLISHED.labels(self.service).inc(len(rows))
        BACKLOG.labels(self.service).set(len(rows))
        return len(rows)
