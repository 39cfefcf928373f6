"""Issue 11 item 7: two relays must never publish at once.

Before the fix, a relay whose lock session was killed went on reading and marking on other pooled
connections until its next leadership check (5 s), publishing while the new leader ran (51 messages
in the review). Now every read and mark proves the lock in the same statement: once the session is
gone, the old relay publishes nothing more, and the new leader publishes everything.
"""

import asyncio
import contextlib
import socket

import pytest
from sqlalchemy import text

from shared import kafka
from shared.outbox import LeadershipLost, OutboxRelay
from shared.outbox.fencing import set_keepalives
from shared.settings import ServiceSettings
from tests.backbone.support import read_topic, wait_until
from tests.faults.relay_support import CountingProducer, add_note, note_store, outbox_states, steps_by_key


async def _leader(relay: OutboxRelay) -> int:
    async def leading():
        return relay.leader_pid

    return await wait_until(leading)


async def test_a_relay_that_lost_its_lock_publishes_nothing_once_another_leads(
    backbone_engine, bootstrap_servers, topic_prefix
):
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=1, replication_factor=1)
    store = note_store(topic)
    written = 0

    async def write_forever():
        nonlocal written
        while True:
            await add_note(backbone_engine, store, "T-1", written + 1)
            written += 1
            await asyncio.sleep(0.01)

    old_producer = CountingProducer(bootstrap_servers=bootstrap_servers, acks="all")
    new_producer = CountingProducer(bootstrap_servers=bootstrap_servers, acks="all")
    await old_producer.start()
    await new_producer.start()
    old = OutboxRelay(backbone_engine, old_producer, service="fence", idle_poll_s=0.02)
    new = OutboxRelay(backbone_engine, new_producer, service="fence", idle_poll_s=0.02)
    writer = asyncio.create_task(write_forever())
    old_running = asyncio.create_task(old.run())
    new_running = None
    try:
        pid = await _leader(old)
        await wait_until(lambda: _at_least(old_producer, 20))
        async with backbone_engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        new_running = asyncio.create_task(new.run())
        await _leader(new)
        old_sends_when_new_leads = old_producer.sends
        await asyncio.sleep(2.0)  # both "running", the writer still writing
        writer.cancel()
        await asyncio.gather(writer, return_exceptions=True)
        assert old_producer.sends == old_sends_when_new_leads, "the old leader published alongside"
        assert old_running.done() and isinstance(old_running.exception(), LeadershipLost)
        assert new_producer.sends > 0

        async def all_published():
            states = await outbox_states(backbone_engine)  # a cancelled append may have committed
            return len(states) >= written and set(states.values()) == {"published"} and len(states)

        written = await wait_until(all_published)
    finally:
        writer.cancel()
        for task in (old_running, new_running):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        await old_producer.stop()
        await new_producer.stop()
    records = await read_topic(bootstrap_servers, topic, written)
    assert set(steps_by_key(records)["T-1"]) == set(range(1, written + 1))  # nothing lost in the hand-over


async def _at_least(producer: CountingProducer, n: int) -> bool:
    return producer.sends >= n


async def test_a_mark_after_the_lock_is_gone_marks_nothing(backbone_engine, bootstrap_servers, topic_prefix):
    """A pass read just before the loss: its mark finds no lock, so the batch stays for the new leader."""
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=1, replication_factor=1)
    await add_note(backbone_engine, note_store(topic), "T-1", 1)
    producer = kafka.make_producer(bootstrap_servers)
    await producer.start()
    relay = OutboxRelay(backbone_engine, producer, service="fence-mark")
    lock_holder = await backbone_engine.connect()
    try:
        await lock_holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": relay._lock_key})
        relay.leader_pid = (await lock_holder.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        original_settle = relay._settle

        async def lose_lock_then_settle(*args):
            await lock_holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": relay._lock_key})
            await original_settle(*args)

        relay._settle = lose_lock_then_settle
        with pytest.raises(LeadershipLost):
            await relay.publish_batch()
    finally:
        await lock_holder.close()
        await producer.stop()
    assert await outbox_states(backbone_engine) == {("T-1", 1): "pending"}


async def test_the_lock_session_has_short_keepalives_on_both_ends(backbone_engine):
    async with backbone_engine.connect() as conn:
        await set_keepalives(conn, idle_s=7, interval_s=3, count=4, user_timeout_ms=20_000)
        shown = {
            name: (await conn.execute(text(f"SHOW {name}"))).scalar_one()
            for name in ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
        }
        assert shown == {
            "tcp_keepalives_idle": "7",
            "tcp_keepalives_interval": "3",
            "tcp_keepalives_count": "4",
        }
        assert (await conn.execute(text("SHOW tcp_user_timeout"))).scalar_one() == "20000"  # ms
        sock = (await conn.get_raw_connection()).driver_connection._transport.get_extra_info("socket")
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 7
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 4


def test_the_idempotent_producer_is_a_setting_on_by_default(monkeypatch):
    assert ServiceSettings().kafka_idempotent_producer is True
    monkeypatch.setenv("KAFKA_IDEMPOTENT_PRODUCER", "false")
    assert ServiceSettings().kafka_idempotent_producer is False
