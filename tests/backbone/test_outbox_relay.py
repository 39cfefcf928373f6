"""Outbox relay against a real PostgreSQL and a real Kafka-protocol broker."""

import asyncio
import json

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from shared import kafka
from shared.eventstore import outbox
from shared.outbox import LeadershipLost, OutboxRelay
from tests.backbone.support import META, WorkLogged, append_steps, make_store, now, read_topic, wait_until


async def leader(relay: OutboxRelay) -> int:
    """The backend pid holding the relay's lock, once it leads."""

    async def leading():
        return relay.leader_pid

    return await wait_until(leading)


async def _relay(engine, bootstrap):
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    return producer, OutboxRelay(engine, producer, service="test", batch_size=50)


async def test_relay_publishes_in_stream_order_keyed_by_stream_and_marks_sent(
    backbone_engine, bootstrap_servers, topic_prefix
):
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=3, replication_factor=1)
    store = make_store(topic)
    for ticket in ("T-1", "T-2", "T-3"):
        await append_steps(backbone_engine, store, ticket, range(1, 41))
    producer, relay = await _relay(backbone_engine, bootstrap_servers)
    try:
        while await relay.publish_batch():
            pass
    finally:
        await producer.stop()
    records = await read_topic(bootstrap_servers, topic, 120)
    assert len(records) == 120
    by_key: dict[bytes, list[int]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key, []).append(json.loads(record.value)["step"])
        assert dict(record.headers)["ce_type"] == b"WorkLogged"
    assert by_key == {k: list(range(1, 41)) for k in (b"T-1", b"T-2", b"T-3")}
    async with backbone_engine.connect() as conn:
        unsent = (
            await conn.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            )
        ).scalar_one()
    assert unsent == 0


async def test_relay_does_not_skip_a_row_that_commits_after_a_later_one(
    backbone_engine, bootstrap_servers, topic_prefix
):
    """The classic outbox gap: id 1 commits after id 2 was already published."""
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=1, replication_factor=1)
    store = make_store(topic)
    slow = await backbone_engine.connect()
    slow_tx = await slow.begin()
    await store.append(
        slow,
        stream_id="T-slow",
        stream_type="ticket",
        expected_version=0,
        metadata=META,
        new_events=[WorkLogged(ticket_id="T-slow", step=1, occurred_at=now())],
    )
    await append_steps(backbone_engine, store, "T-fast", range(1, 2))
    async with backbone_engine.connect() as conn:
        ids = (await conn.execute(text("SELECT id, key FROM outbox"))).all()
    assert [key for _id, key in ids] == ["T-fast"]  # the slow row is invisible, yet has the lower id
    producer, relay = await _relay(backbone_engine, bootstrap_servers)
    try:
        assert await relay.publish_batch() == 1
        await slow_tx.commit()
        await slow.close()
        assert await relay.publish_batch() == 1
    finally:
        await producer.stop()
    records = await read_topic(bootstrap_servers, topic, 2)
    assert sorted(r.key for r in records) == [b"T-fast", b"T-slow"]


async def test_relay_run_loop_publishes_soon_after_a_wake(backbone_engine, bootstrap_servers, topic_prefix):
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=1, replication_factor=1)
    producer, relay = await _relay(backbone_engine, bootstrap_servers)
    task = asyncio.create_task(relay.run())
    try:
        await append_steps(backbone_engine, make_store(topic), "T-9", range(1, 3))
        relay.wake()
        records = await read_topic(bootstrap_servers, topic, 2)
        assert [json.loads(r.value)["step"] for r in records] == [1, 2]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await producer.stop()


async def test_a_commit_elsewhere_wakes_the_relay_at_once(
    backbone_engine, database_url, bootstrap_servers, topic_prefix
):
    """The relay may run in another process than the writer: the append's NOTIFY wakes it."""
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=1, replication_factor=1)
    producer = kafka.make_producer(bootstrap_servers)
    await producer.start()
    relay = OutboxRelay(backbone_engine, producer, service="test", idle_poll_s=60.0)  # no polling
    running = asyncio.create_task(relay.run())
    writer = create_async_engine(database_url)  # its own pool: it cannot call relay.wake()
    try:
        await asyncio.sleep(1.0)  # the relay has made its first (empty) pass and sleeps
        await append_steps(writer, make_store(topic), "T-elsewhere", range(1, 2))
        records = await read_topic(bootstrap_servers, topic, 1, timeout_s=10)  # long before a poll
        assert [r.key for r in records] == [b"T-elsewhere"]
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await producer.stop()
        await writer.dispose()


async def test_a_relay_whose_lock_session_dies_stops_leading(backbone_engine, bootstrap_servers):
    """Its advisory lock went with the session: another replica may lead now, so this one must stop."""
    producer = kafka.make_producer(bootstrap_servers)
    await producer.start()
    relay = OutboxRelay(backbone_engine, producer, service="test", leadership_check_s=0.2)
    running = asyncio.create_task(relay.run())
    try:
        pid = await leader(relay)
        async with backbone_engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(LeadershipLost):
            await asyncio.wait_for(running, timeout=10)
        assert relay.leader_pid is None
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await producer.stop()


async def test_the_relay_stops_when_cancelled_as_it_is_woken(backbone_engine, bootstrap_servers):
    """A cancellation that lands with a wake-up must still stop it (asyncio.wait_for on 3.11 would
    swallow it, and a service's shut-down would hang on its relay)."""
    producer = kafka.make_producer(bootstrap_servers)
    await producer.start()
    relay = OutboxRelay(backbone_engine, producer, service="test", idle_poll_s=30.0)
    running = asyncio.create_task(relay.run())
    try:
        await leader(relay)
        await asyncio.sleep(0.3)  # idle, waiting to be woken
        relay.wake()
        running.cancel()
        await asyncio.wait([running], timeout=5)
        assert running.cancelled()
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await producer.stop()
