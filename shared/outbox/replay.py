"""Outbox replay: publish again what a service's outbox already published, from a time or an outbox id.

    python -m shared.outbox.replay --service intake --since 2026-11-28T14:00:00Z
    python -m shared.outbox.replay --service sla-monitor --from-id 12345

Why it exists: a topic can be lost after the outbox marked its rows published (the embedded broker
keeps topics in memory; in production, a deleted or truncated topic, a broker restored from an old
snapshot). The outbox still holds every event, so they can be sent again. It is safe because
consumers de-duplicate by event id: what they had already applied is skipped.

What it does: re-creates the topics of the rows it replays if they are missing (with the service's
`KAFKA_TOPIC_PARTITIONS`), then publishes the published rows of the range in id order (so each
stream's events go in their order), keyed and with headers as the relay sent them. Unpublished rows
are left to the relay, parked rows to the operator. The devstack launcher runs it after restarting
its broker; an operator runs it after losing a topic. Running it while the service's relay publishes
new events is allowed: a consumer may then see a stream's new event before an older replayed one,
which consumers already handle (early arrivals are kept, duplicates skipped).

Configuration as the service's own: `<PREFIX>DATABASE_URL` (prefix from the service name, e.g.
SLA_MONITOR_), `KAFKA_BOOTSTRAP_SERVERS`, ...; `--database-url` overrides the database.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime

from pydantic_settings import SettingsConfigDict
from sqlalchemy import LargeBinary, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared import kafka
from shared.settings import ServiceSettings

_PUBLISHED_FROM = text(
    """
    SELECT id, topic, key, headers, payload FROM outbox
    WHERE published_at IS NOT NULL AND id > :after
      AND (CAST(:since AS timestamptz) IS NULL OR published_at >= CAST(:since AS timestamptz))
    ORDER BY id
    LIMIT :limit
    """
).columns(headers=JSONB, payload=LargeBinary)
_TOPICS_FROM = text(
    """
    SELECT DISTINCT topic FROM outbox
    WHERE published_at IS NOT NULL AND id > :after
      AND (CAST(:since AS timestamptz) IS NULL OR published_at >= CAST(:since AS timestamptz))
    """
)


async def topics_to_replay(
    engine: AsyncEngine, *, since: datetime | None = None, from_id: int = 0
) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(_TOPICS_FROM, {"after": from_id - 1, "since": since})
        return sorted(rows.scalars())


async def replay(
    engine: AsyncEngine, producer, *, since: datetime | None = None, from_id: int = 0, batch_size: int = 500
) -> int:
    """Publish again the published outbox rows with id >= `from_id` (and published at or after
    `since`), in id order; returns how many."""
    after, count = from_id - 1, 0
    while True:
        async with engine.connect() as conn:
            rows = (
                await conn.execute(_PUBLISHED_FROM, {"after": after, "since": since, "limit": batch_size})
            ).all()
        if not rows:
            return count
        deliveries = [
            await producer.send(
                row.topic,
                value=row.payload,
                key=row.key.encode() if row.key is not None else None,
                headers=[(name, value.encode()) for name, value in row.headers.items()],
            )
            for row in rows
        ]
        await asyncio.gather(*deliveries)
        after, count = rows[-1].id, count + len(rows)


def service_settings(service: str) -> ServiceSettings:
    prefix = service.upper().replace("-", "_") + "_"

    class Settings(ServiceSettings):
        model_config = SettingsConfigDict(env_prefix=prefix, extra="ignore", populate_by_name=True)

    return Settings(service_name=service)


async def run(service: str, *, since: datetime | None, from_id: int, database_url: str | None) -> int:
    settings = service_settings(service)
    engine = create_async_engine(database_url or settings.database_url)
    producer = kafka.make_producer(
        settings.kafka_bootstrap_servers, idempotent=settings.kafka_idempotent_producer
    )
    try:
        topics = await topics_to_replay(engine, since=since, from_id=from_id)
        if topics:
            await kafka.ensure_topics(
                settings.kafka_bootstrap_servers,
                topics,
                partitions=settings.kafka_topic_partitions,
                replication_factor=settings.kafka_replication_factor,
            )
        await producer.start()
        return await replay(engine, producer, since=since, from_id=from_id)
    finally:
        await producer.stop()
        await engine.dispose()


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m shared.outbox.replay", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--service", required=True, help="intake, dispatch, sla-monitor, inventory, notify")
    start = parser.add_mutually_exclusive_group(required=True)
    start.add_argument("--since", type=datetime.fromisoformat, help="published at or after (ISO 8601)")
    start.add_argument("--from-id", type=int, help="outbox id to start from (inclusive)")
    parser.add_argument("--database-url", help="instead of <PREFIX>DATABASE_URL")
    args = parser.parse_args(argv)
    if args.since is not None and args.since.tzinfo is None:
        parser.error("--since needs a time zone (e.g. 2026-11-28T14:00:00Z or +00:00)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    count = asyncio.run(
        run(args.service, since=args.since, from_id=args.from_id or 0, database_url=args.database_url)
    )
    start = f"since {args.since.isoformat()}" if args.since else f"from outbox id {args.from_id}"
    print(f"{args.service}: replayed {count} events {start}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
