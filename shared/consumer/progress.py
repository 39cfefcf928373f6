"""How far a consumer has read each of its partitions, for services that must not act on time alone.

The SLA monitor may fire a threshold only once it has read its inputs up to the deadline, so after
every poll the consumer can report, per assigned partition: the position it has applied up to, the
newest record timestamp (the producer's send time) it applied, and whether it is caught up.

Caught up means: the poll returned no record for the partition, the partition is not held, AND its
position is at or past the end offset the broker reports. Both conditions, because the embedded Tansu
broker reports a partition's end offset as its last batch's first offset + 1 (short of the real end):
the position test alone could call a partition caught up while the rest of its last batch is unread,
and the "no records" test alone could be a fetch still in flight. The reported end is never beyond the
real end, so a consumer that has read everything always satisfies both: this cannot block forever.

With the report comes the layout of the consumer's topics as its metadata has them now
(`TopicLayout`): which topics it subscribes to and which partitions each has. A service that keeps
per-partition state (the SLA monitor's watermarks) needs it to tell a partition that is quiet from one
that is gone (a topic recreated with fewer partitions, a topic dropped from the subscription): a
partition that is gone is never read again, so waiting for it would wait forever.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord


@dataclass(frozen=True)
class Progress:
    topic: str
    partition: int
    position: int | None  # the next offset to apply (None: not known yet)
    newest_ms: int | None  # the newest record timestamp applied in this poll (ms since the epoch)
    caught_up: bool
    age_s: float  # how long ago the poll started: "caught up" held at (now - age_s)


@dataclass(frozen=True)
class TopicLayout:
    subscribed: frozenset[str]
    partitions: dict[str, frozenset[int]]  # per subscribed topic whose metadata is known (else absent)


OnProgress = Callable[[list[Progress], TopicLayout], Awaitable[None]]


def topic_layout(consumer: AIOKafkaConsumer) -> TopicLayout:
    """The consumer's topics and their partitions, from its metadata (refreshed by the client when a
    topic's partitions change, and every `metadata_max_age_ms`)."""
    subscribed = frozenset(consumer.subscription())
    partitions = {}
    for topic in subscribed:
        known = consumer.partitions_for_topic(topic)
        if known:  # None: no metadata for it yet; say nothing rather than "no partitions"
            partitions[topic] = frozenset(known)
    return TopicLayout(subscribed, partitions)


async def poll_progress(
    consumer: AIOKafkaConsumer,
    batches: dict[TopicPartition, list[ConsumerRecord]],
    offsets: dict[TopicPartition, int],
    started: float,
) -> list[Progress]:
    """Each assigned partition's progress after a poll that started at `started` (time.monotonic)."""
    paused = consumer.paused()
    idle = [tp for tp in consumer.assignment() if tp not in batches and tp not in paused]
    ends: dict[TopicPartition, int] = {}
    unknown = [tp for tp in idle if consumer.highwater(tp) is None]
    if unknown:
        ends.update(await consumer.end_offsets(unknown))
    for tp in idle:
        if tp not in ends:
            ends[tp] = consumer.highwater(tp) or 0
    age = time.monotonic() - started
    report = []
    for tp, records in batches.items():
        applied_to = offsets.get(tp, records[-1].offset + 1)
        stamps = [r.timestamp for r in records if r.offset < applied_to and r.timestamp is not None]
        report.append(Progress(tp.topic, tp.partition, applied_to, max(stamps, default=None), False, age))
    for tp in idle:
        position = await consumer.position(tp)
        report.append(Progress(tp.topic, tp.partition, position, None, position >= ends[tp], age))
    return report
