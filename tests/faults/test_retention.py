"""Issue 11, item 10: the backbone tables stop growing forever, and de-duplication windows hold.

Before: nothing ever deleted a published outbox row, a processed_events row or an idempotency key.
"""

import asyncio
import uuid

import pytest
from pydantic import ValidationError
from sqlalchemy import text

from shared.retention import prune, run_retention
from shared.settings import ServiceSettings
from tests.backbone.support import create_applied_table, read_topic, record_applied, wait_until
from tests.faults.support import running, send, topics, work_logged

SETTINGS = ServiceSettings(retention_days=7, dedup_retention_days=30, idempotency_retention_days=2)


async def _outbox_row(conn, *, age_days: float, published_days_ago: float | None) -> int:
    return await conn.scalar(
        text(
            "INSERT INTO outbox (event_id, topic, key, headers, payload, created_at, published_at) "
            "VALUES (:id, 't', 'k', '{}', 'x', now() - make_interval(secs => :age), "
            "now() - make_interval(secs => CAST(:published AS float))) RETURNING id"
        ),
        {
            "id": uuid.uuid4(),
            "age": age_days * 86400,
            "published": None if published_days_ago is None else published_days_ago * 86400,
        },
    )


async def _aged(conn, table: str, column: str, days: float, **values) -> None:
    names = ", ".join(values)
    params = ", ".join(f":{name}" for name in values)
    await conn.execute(
        text(f"INSERT INTO {table} ({names}, {column}) VALUES ({params}, now() - make_interval(secs => :a))"),
        {**values, "a": days * 86400},
    )


async def test_prunes_what_is_published_or_processed_and_old_and_keeps_the_rest(backbone_engine):
    async with backbone_engine.begin() as conn:
        old_published = await _outbox_row(conn, age_days=9, published_days_ago=8)
        recent = await _outbox_row(conn, age_days=9, published_days_ago=6)  # published late: kept 7 days
        stuck = await _outbox_row(conn, age_days=20, published_days_ago=None)  # never published: kept
        fresh = await _outbox_row(conn, age_days=0, published_days_ago=0)
        await _aged(conn, "processed_events", "processed_at", 31, consumer="c", event_id="gone")
        await _aged(conn, "processed_events", "processed_at", 29, consumer="c", event_id="window")
        await _aged(conn, "idempotency_keys", "created_at", 3, scope="s", key="old", request_hash="h")
        await _aged(conn, "idempotency_keys", "created_at", 1, scope="s", key="new", request_hash="h")

    deleted = await prune(backbone_engine, SETTINGS)

    assert deleted == {"outbox": 1, "processed_events": 1, "idempotency_keys": 1}
    async with backbone_engine.connect() as conn:
        outbox = set((await conn.execute(text("SELECT id FROM outbox"))).scalars())
        processed = set((await conn.execute(text("SELECT event_id FROM processed_events"))).scalars())
        keys = set((await conn.execute(text("SELECT key FROM idempotency_keys"))).scalars())
    assert old_published not in outbox
    assert outbox == {recent, stuck, fresh}
    assert processed == {"window"}
    assert keys == {"new"}


async def test_many_rows_go_in_short_batches(backbone_engine):
    async with backbone_engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO processed_events (consumer, event_id, processed_at) "
                "SELECT 'c', g::text, now() - make_interval(days => CASE WHEN g % 3 = 0 THEN 1 ELSE 40 END) "
                "FROM generate_series(1, 30000) g"
            )
        )
    settings = SETTINGS.model_copy(update={"retention_batch_pages": 4})

    deleted = await prune(backbone_engine, settings)

    async with backbone_engine.connect() as conn:
        left = await conn.scalar(text("SELECT count(*) FROM processed_events"))
        pages = await conn.scalar(text("SELECT pg_relation_size('processed_events') / 8192"))
    assert deleted["processed_events"] == 20000
    assert left == 10000
    assert pages > 4 * 10, "the table should span many batches"


async def test_a_redelivered_event_inside_the_window_is_still_skipped(
    backbone_engine, bootstrap_servers, topic_prefix
):
    await create_applied_table(backbone_engine)
    producer = await topics(bootstrap_servers, topic_prefix)
    event = work_logged("T-1", 1)
    await send(producer, topic_prefix + "in", event)
    async with running(backbone_engine, bootstrap_servers, topic_prefix, handler=record_applied):
        await wait_until(lambda: _applied(backbone_engine, 1))
    async with backbone_engine.begin() as conn:  # applied 29 days ago: still inside the window
        await conn.execute(text("UPDATE processed_events SET processed_at = now() - interval '29 days'"))
    await prune(backbone_engine, SETTINGS)
    await send(producer, topic_prefix + "in", event)  # redelivered (e.g. a replay)
    await send(producer, topic_prefix + "in", work_logged("T-1", 2))
    await producer.stop()
    async with running(backbone_engine, bootstrap_servers, topic_prefix, handler=record_applied):
        await wait_until(lambda: _applied(backbone_engine, 2))
        await asyncio.sleep(0.5)
    async with backbone_engine.connect() as conn:
        steps = list((await conn.execute(text("SELECT step FROM applied ORDER BY id"))).scalars())
    assert steps == [1, 2]
    assert await read_topic(bootstrap_servers, topic_prefix + "dlq", 0) == []


async def test_the_background_job_prunes_periodically(backbone_engine):
    settings = SETTINGS.model_copy(update={"retention_interval_s": 0.1})
    job = asyncio.create_task(run_retention(backbone_engine, settings))
    try:
        for name in ("a", "b"):
            async with backbone_engine.begin() as conn:
                await _aged(conn, "processed_events", "processed_at", 31, consumer="c", event_id=name)
            await wait_until(lambda: _count(backbone_engine, "processed_events", 0), timeout_s=5)
    finally:
        job.cancel()
        await asyncio.gather(job, return_exceptions=True)


def test_the_dedup_window_must_outlast_an_outbox_replay():
    with pytest.raises(ValidationError, match="dedup_retention_days"):
        ServiceSettings(retention_days=7, dedup_retention_days=7)
    assert ServiceSettings().dedup_retention_days > ServiceSettings().retention_days


async def _applied(engine, n):
    async with engine.connect() as conn:
        return await conn.scalar(text("SELECT count(*) FROM applied")) >= n


async def _count(engine, table, expected):
    async with engine.connect() as conn:
        return await conn.scalar(text(f"SELECT count(*) FROM {table}")) == expected
