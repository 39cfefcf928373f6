"""Operator commands for a dead-letter topic: see what was dead-lettered, replay it after a fix.

    python -m shared.consumer.dlq show <dlq-topic> [--json] [--from-offset N]
    python -m shared.consumer.dlq replay <dlq-topic> [--event-id ID ...] [--reason R] [--from-offset N]

`replay` republishes each dead letter to the topic it came from (its `dlq_source_topic` header), with
its key, value and original headers (the `dlq_*` headers removed). It is safe to repeat: every consumer
de-duplicates by event id (processed_events), so the consumer that failed applies the event once it
can, and the other consumers of that topic, which applied it long ago, skip it — as long as their
processed_events rows are still kept (`dedup_retention_days` must exceed the age of what you replay;
see shared.retention). A letter without a `ce_id` cannot be de-duplicated and is never replayed.
`replay` reads every selected letter before it republishes any, so a letter written while replaying
(an event that fails again) is not replayed in a loop.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from shared import kafka
from shared.consumer import dead_letter as dl
from shared.settings import ServiceSettings


@dataclass(frozen=True)
class DeadLetter:
    offset: str  # partition:offset in the dead-letter topic
    event_id: str | None
    event_type: str | None
    subject: str | None
    reason: str | None
    consumer: str | None
    source: str | None  # topic:partition:offset it was read from
    error: str | None


def describe(record: ConsumerRecord) -> DeadLetter:
    headers = _headers(record)
    source = headers.get(dl.SOURCE_TOPIC)
    if source is not None:
        source = f"{source}:{headers.get(dl.SOURCE_PARTITION)}:{headers.get(dl.SOURCE_OFFSET)}"
    return DeadLetter(
        offset=f"{record.partition}:{record.offset}",
        event_id=headers.get("ce_id"),
        event_type=headers.get("ce_type"),
        subject=headers.get("ce_subject"),
        reason=headers.get(dl.REASON),
        consumer=headers.get(dl.CONSUMER),
        source=source,
        error=headers.get(dl.ERROR),
    )


async def read_letters(bootstrap: str, topic: str, *, from_offset: int = 0) -> list[ConsumerRecord]:
    """Every record of the topic from `from_offset` (per partition) until it has no more."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = reader.partitions_for_topic(topic)
        if partitions is None:
            await reader._client.force_metadata_update()  # noqa: SLF001 - no public refresh
            partitions = reader.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not tps:
            return []
        reader.assign(tps)
        starts = await reader.beginning_offsets(tps)
        for tp in tps:
            reader.seek(tp, max(starts[tp], from_offset))
        # The end offsets only tell how far to read at least: the embedded Tansu broker reports the
        # base offset of a partition's last batch + 1, short of its end. So: read until a poll is empty.
        ends = await reader.end_offsets(tps)
        records: list[ConsumerRecord] = []
        while True:
            batch = await reader.getmany(timeout_ms=1000)
            for part in batch.values():
                records.extend(part)
            if not batch and all([await reader.position(tp) >= ends[tp] for tp in tps]):
                return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        await reader.stop()


@dataclass(frozen=True)
class Replayed:
    republished: int
    without_event_id: int  # not replayed: nothing would de-duplicate them


async def replay(
    bootstrap: str,
    topic: str,
    *,
    event_ids: Iterable[str] = (),
    reason: str | None = None,
    from_offset: int = 0,
    to_topic: str | None = None,
) -> Replayed:
    """Republish the selected dead letters to their source topics; returns how many."""
    wanted = set(event_ids)
    letters = await read_letters(bootstrap, topic, from_offset=from_offset)
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    republished = without_id = 0
    try:
        pending = []
        for record in letters:
            headers = _headers(record)
            if wanted and headers.get("ce_id") not in wanted:
                continue
            if reason and headers.get(dl.REASON) != reason:
                continue
            target = to_topic or headers.get(dl.SOURCE_TOPIC)
            if "ce_id" not in headers or target is None:
                without_id += 1
                continue
            original = [(k, v) for k, v in record.headers or () if k not in dl.DLQ_HEADERS]
            pending.append(await producer.send(target, value=record.value, key=record.key, headers=original))
            republished += 1
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return Replayed(republished, without_id)


def _headers(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in record.headers or ()}


def _print_letters(letters: list[DeadLetter], as_json: bool) -> None:
    if as_json:
        for letter in letters:
            print(json.dumps(asdict(letter)))
        return
    for letter in letters:
        print(
            f"{letter.offset:>10}  {letter.event_type or '-'}  id={letter.event_id or '-'}"
            f"  subject={letter.subject or '-'}  reason={letter.reason}  from={letter.source}"
            f"  consumer={letter.consumer}\n            error: {letter.error}"
        )
    print(f"{len(letters)} dead letter(s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.consumer.dlq", description=__doc__.split("\n")[0])
    parser.add_argument("--bootstrap-servers", default=None, help="default: KAFKA_BOOTSTRAP_SERVERS")
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="list the dead letters of a DLQ topic")
    show.add_argument("topic")
    show.add_argument("--json", action="store_true", help="one JSON object per line")
    show.add_argument("--from-offset", type=int, default=0)
    again = commands.add_parser("replay", help="republish dead letters to their source topic")
    again.add_argument("topic")
    again.add_argument("--event-id", action="append", default=[], help="only these events (repeatable)")
    again.add_argument("--reason", help="only letters with this dlq_reason (e.g. handler_failed)")
    again.add_argument("--from-offset", type=int, default=0)
    again.add_argument("--to-topic", help="republish here instead of each letter's source topic")
    args = parser.parse_args(argv)
    bootstrap = args.bootstrap_servers or ServiceSettings().kafka_bootstrap_servers
    if args.command == "show":
        records = asyncio.run(read_letters(bootstrap, args.topic, from_offset=args.from_offset))
        _print_letters([describe(r) for r in records], args.json)
        return 0
    done = asyncio.run(
        replay(
            bootstrap,
            args.topic,
            event_ids=args.event_id,
            reason=args.reason,
            from_offset=args.from_offset,
            to_topic=args.to_topic,
        )
    )
    print(f"republished {done.republished}; skipped {done.without_event_id} without a ce_id")
    return 0


if __name__ == "__main__":
    sys.exit(main())
