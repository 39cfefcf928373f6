"""Event store on a real PostgreSQL: optimistic concurrency, reads, outbox rows in the same transaction."""

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shared.errors import ConcurrencyConflict
from shared.eventstore import events, outbox
from shared.eventstore.store import EventStore, StreamAppend
from tests.backbone.support import META, WorkLogged, append_steps, make_registry, make_store, now


async def _count(engine, table) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def test_append_and_read_back_in_version_order(backbone_engine):
    store = make_store("topic-a")
    await append_steps(backbone_engine, store, "T-1", range(1, 4))
    await append_steps(backbone_engine, store, "T-1", range(4, 5))
    async with backbone_engine.connect() as conn:
        stored = await store.read(conn, "T-1")
        decoded = await store.load_events(conn, "T-1")
    assert [e.version for e in stored] == [1, 2, 3, 4]
    assert [e.step for e in decoded] == [1, 2, 3, 4]
    assert stored[0].metadata == {"correlation_id": "corr-1", "actor": "tester"}
    assert await _count(backbone_engine, outbox) == 4


async def test_stale_expected_version_is_refused_and_nothing_is_written(backbone_engine):
    store = make_store("topic-a")
    await append_steps(backbone_engine, store, "T-1", range(1, 3))
    with pytest.raises(ConcurrencyConflict):
        async with backbone_engine.begin() as conn:
            await store.append(
                conn,
                stream_id="T-1",
                stream_type="ticket",
                expected_version=1,
                new_events=[WorkLogged(ticket_id="T-1", step=99, occurred_at=now())],
                metadata=META,
            )
    assert await _count(backbone_engine, events) == 2
    assert await _count(backbone_engine, outbox) == 2


async def test_two_concurrent_writers_at_the_same_version_one_wins(backbone_engine):
    store = make_store("topic-a")
    await append_steps(backbone_engine, store, "T-1", range(1, 2))

    async def write(step: int):
        async with backbone_engine.begin() as conn:
            await store.append(
                conn,
                stream_id="T-1",
                stream_type="ticket",
                expected_version=1,
                new_events=[WorkLogged(ticket_id="T-1", step=step, occurred_at=now())],
                metadata=META,
            )

    results = await asyncio.gather(write(10), write(20), return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["ConcurrencyConflict", "NoneType"]
    assert await _count(backbone_engine, events) == 2


async def test_read_as_of_returns_the_earlier_history(backbone_engine):
    store = make_store("topic-a")
    base = now()
    async with backbone_engine.begin() as conn:
        await store.append(
            conn,
            stream_id="T-1",
            stream_type="ticket",
            expected_version=0,
            metadata=META,
            new_events=[
                WorkLogged(ticket_id="T-1", step=1, occurred_at=base - timedelta(hours=2)),
                WorkLogged(ticket_id="T-1", step=2, occurred_at=base - timedelta(hours=1)),
            ],
        )
    async with backbone_engine.connect() as conn:
        earlier = await store.load_events(conn, "T-1", as_of=base - timedelta(minutes=90))
    assert [e.step for e in earlier] == [1]


async def test_rows_written_are_the_envelopes_returned_event_and_outbox_alike(backbone_engine):
    """One statement for several streams: each event row and outbox row is its envelope (data, headers,
    body, key), in the order appended."""
    store = make_store("topic-a")
    first = [WorkLogged(ticket_id="T-1", step=s, occurred_at=now()) for s in (1, 2)]
    async with backbone_engine.begin() as conn:
        await append_steps_in(conn, store, "T-1", 0, first[:1])
    async with backbone_engine.begin() as conn:
        written = await store.append_many(
            conn,
            [
                StreamAppend("T-1", "ticket", 1, first[1:], META, "工单-1"),
                StreamAppend(
                    "T-2", "ticket", 0, [WorkLogged(ticket_id="T-2", step=7, occurred_at=now())], META
                ),
            ],
        )
    envelopes = [envelope for batch in written for envelope in batch]
    async with backbone_engine.connect() as conn:
        queued = (await conn.execute(select(outbox).order_by(outbox.c.id))).all()[1:]
        stored = (await conn.execute(select(events).order_by(events.c.global_position))).all()[1:]
    assert [(e.stream_id, e.version) for e in stored] == [("T-1", 2), ("T-2", 1)]
    assert [e.event_id for e in stored] == [row.event_id for row in queued] == [e.id for e in envelopes]
    assert [e.data for e in stored] == [envelope.data for envelope in envelopes]
    assert [e.metadata for e in stored] == [{"correlation_id": "corr-1", "actor": "tester"}] * 2
    assert [row.key for row in queued] == ["工单-1", "T-2"]
    assert [row.topic for row in queued] == ["topic-a", "topic-a"]
    assert [row.headers for row in queued] == [envelope.header_values() for envelope in envelopes]
    assert [row.payload for row in queued] == [envelope.kafka_value() for envelope in envelopes]
    assert envelopes[0].subject == "工单-1" and envelopes[1].subject == "T-2"


async def append_steps_in(conn, store, stream_id: str, after: int, new_events) -> None:
    await store.append(
        conn,
        stream_id=stream_id,
        stream_type="ticket",
        expected_version=after,
        new_events=new_events,
        metadata=META,
    )


async def test_an_event_kept_internal_is_stored_without_an_outbox_row_beside_published_ones(backbone_engine):
    published = {"yes"}
    store = EventStore(make_registry(), source="/tests", route=lambda _type: published and "topic-a" or None)
    async with backbone_engine.begin() as conn:
        await append_steps_in(conn, store, "T-1", 0, [WorkLogged(ticket_id="T-1", step=1, occurred_at=now())])
    published.clear()  # the type is now internal: stored, not queued
    async with backbone_engine.begin() as conn:
        await append_steps_in(conn, store, "T-1", 1, [WorkLogged(ticket_id="T-1", step=2, occurred_at=now())])
    async with backbone_engine.connect() as conn:
        stored = (await conn.execute(select(events.c.version, events.c.event_id))).all()
        queued = (await conn.execute(select(outbox.c.event_id))).scalars().all()
    assert sorted(version for version, _ in stored) == [1, 2]
    assert queued == [event_id for version, event_id in stored if version == 1]
