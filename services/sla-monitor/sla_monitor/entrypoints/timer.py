"""The durable timer: every threshold lives in the database (`sla_tickets.due_at`), so nothing is lost
when the process dies; this loop asks the bus to fire what fell due, then sleeps until the next due
time (at most MAX_SLEEP_S, or until a consumer wakes it). Every replica may run it: due rows are
claimed with SKIP LOCKED. What is due is decided by the database's clock, not this replica's, and
only up to what the inputs have been read to (adapters/watermarks.py): a threshold never fires while
the event that stopped its clock in time may still be unread."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from prometheus_client import Gauge, Histogram

from shared.envelope import EventMetadata
from shared.messagebus import MessageBus
from sla_monitor.domain.commands import FireDueThresholds
from sla_monitor.views import Reader, clocks

FIRE_DELAY = Histogram(
    "sla_fire_delay_seconds",
    "Threshold due -> committed emission",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30),
)
BACKLOG = Gauge("sla_timer_backlog_seconds", "How late the earliest pending threshold is (0: on time)")
BATCH = 100  # tickets per transaction: short ones, even when catching up on many overdue clocks
# Batches in flight while catching up (the last tick filled a batch): each is its own short transaction
# on its own connection, on tickets the others skipped (SKIP LOCKED), so one is computed here while the
# database writes the others instead of each waiting for the other. On time, one batch per tick. Three:
# 100,000 overdue clocks in 15% less time than with two on 2 cores, four no better (bench/sla_catch_up.py).
CATCH_UP_LANES = 3
MAX_SLEEP_S = 0.25
ACTOR = EventMetadata(actor="sla-monitor")


class DueTimer:
    def __init__(self, bus: MessageBus, reader: Reader, *, grace_s: float = 0.0) -> None:
        self._bus = bus
        self._reader = reader
        self._grace_s = grace_s
        self._wake = asyncio.Event()
        self._behind = False  # the last tick filled a batch: more is probably due

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            fired = await self.tick()
            if fired >= BATCH:
                continue  # more may be due: no sleep
            await self._sleep_until_next_due()

    async def tick(self, now: datetime | None = None) -> int:
        """Fire every threshold due (a batch, or CATCH_UP_LANES batches at once while behind; by `now` if
        given, else the database's clock); the number of tickets fired."""
        if not self._behind:
            fired = await self._fire_batch(now)
            self._behind = fired >= BATCH
            return fired
        try:
            async with asyncio.TaskGroup() as lanes:  # a failing batch cancels the others (rolled back)
                batches = [lanes.create_task(self._fire_batch(now)) for _ in range(CATCH_UP_LANES)]
        except ExceptionGroup as failed:  # fail as a single batch would have, its own cause kept
            first = failed.exceptions[0]
            raise first from first.__cause__
        counts = [batch.result() for batch in batches]
        self._behind = max(counts) >= BATCH
        return sum(counts)

    async def _fire_batch(self, now: datetime | None) -> int:
        """One transaction: at most BATCH tickets."""
        command = FireDueThresholds(now=now, limit=BATCH, grace_s=self._grace_s)
        due_times = await self._bus.handle(command, metadata=ACTOR)
        committed = datetime.now(UTC)
        for due_at in due_times:
            FIRE_DELAY.observe(max((committed - due_at).total_seconds(), 0.0))
        return len(due_times)

    async def _sleep_until_next_due(self) -> None:
        next_due = await clocks.next_due(self._reader)
        delay = MAX_SLEEP_S
        if next_due is not None:
            until = (next_due - datetime.now(UTC)).total_seconds()
            BACKLOG.set(max(-until, 0.0))
            delay = min(max(until, 0.0), MAX_SLEEP_S)
        else:
            BACKLOG.set(0.0)
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):  # not wait_for: it can swallow a cancellation on 3.11
                await self._wake.wait()
