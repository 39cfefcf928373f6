"""Partitions held at an event that failed transiently: sought back to it, paused, resumed later.

Holding rather than sleeping in place keeps the consumer polling: its other partitions go on, and it
stays in its group however long the database is away (a consumer that stops polling for
`max.poll.interval.ms` is expelled). Each failed retry at the same offset doubles the wait, up to a
maximum. Nothing here commits: the consumer commits a held partition's offset at the held event, so
whoever owns the partition next starts there.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError


@dataclass(frozen=True)
class _Hold:
    offset: int
    attempts: int
    resume_at: float


class PartitionHolds:
    def __init__(self, backoff_s: float, backoff_max_s: float) -> None:
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self._held: dict[TopicPartition, _Hold] = {}
        self._paused: set[TopicPartition] = set()  # held and not resumed yet

    def hold(self, consumer: AIOKafkaConsumer | None, tp: TopicPartition, offset: int) -> None:
        previous = self._held.get(tp)
        attempts = previous.attempts + 1 if previous is not None and previous.offset == offset else 1
        delay = min(self.backoff_max_s, self.backoff_s * 2 ** (attempts - 1))
        self._held[tp] = _Hold(offset, attempts, asyncio.get_running_loop().time() + delay)
        if consumer is None:
            return
        try:
            consumer.seek(tp, offset)
            consumer.pause(tp)
            self._paused.add(tp)
        except IllegalStateError:  # revoked meanwhile: its new owner starts from the last commit
            self._held.pop(tp, None)

    def release_passed(self, offsets: dict[TopicPartition, int]) -> None:
        """Forget the holds of partitions a poll went past (offsets: what the consumer commits)."""
        for tp, offset in offsets.items():
            hold = self._held.get(tp)
            if hold is not None and hold.offset != offset:
                del self._held[tp]
                self._paused.discard(tp)

    def resume_due(self, consumer: AIOKafkaConsumer) -> None:
        if not self._paused:
            return
        now = asyncio.get_running_loop().time()
        still_paused = consumer.paused()  # a rebalance forgets pauses: those need no resume
        for tp in list(self._paused):
            if tp not in still_paused:
                self._paused.discard(tp)
            elif self._held[tp].resume_at <= now:
                consumer.resume(tp)
                self._paused.discard(tp)

    def poll_timeout_ms(self, default_ms: int = 200) -> int:
        """How long a poll may wait and still resume a held partition in time."""
        if not self._paused:
            return default_ms
        wait = min(self._held[tp].resume_at for tp in self._paused) - asyncio.get_running_loop().time()
        return max(10, min(default_ms, int(wait * 1000)))
