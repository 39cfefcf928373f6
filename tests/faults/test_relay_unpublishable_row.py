"""Issue 11 item 6: one unpublishable outbox row must not stop the outbox nor republish its elders.

Before the fix, a 1.5 MB row made every pass fail at `send`: the rows before it were published again
each second and nothing after it ever left. Now the append refuses such an event, and a row the broker
refuses anyway (one written before the limit, or by a writer with a larger one) is parked: its own
stream waits behind it, every other stream goes on, and nothing acknowledged is sent twice.
"""

import asyncio
import logging

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text

from shared import kafka
from shared.errors import EventTooLarge
from shared.eventstore import outbox
from shared.outbox import OutboxRelay
from tests.backbone.support import META, now, read_topic
from tests.faults.relay_support import (
    NoteAdded,
    add_note,
    enlarge,
    note_store,
    outbox_states,
    steps_by_key,
)

BIG = "x" * 1_500_000  # over the broker's (and producer's) 1 MiB message limit


async def test_an_append_refuses_an_event_larger_than_the_limit(backbone_engine):
    store = note_store("tickets")
    with pytest.raises(EventTooLarge) as refused:
        async with backbone_engine.begin() as conn:
            await store.append(
                conn,
                stream_id="T-big",
                stream_type="ticket",
                expected_version=0,
                new_events=[NoteAdded(ticket_id="T-big", step=1, note=BIG, occurred_at=now())],
                metadata=META,
            )
    assert refused.value.status == 413 and refused.value.limit == 1_000_000
    assert refused.value.size > 1_500_000 and "NoteAdded" in str(refused.value)
    async with backbone_engine.connect() as conn:
        assert (await conn.execute(select(func.count()).select_from(outbox))).scalar_one() == 0
        assert (await conn.execute(text("SELECT count(*) FROM events"))).scalar_one() == 0
    await add_note(backbone_engine, store, "T-small", 1)  # an ordinary event still goes in


async def test_an_unpublishable_row_is_parked_and_blocks_only_its_stream(
    backbone_engine, bootstrap_servers, topic_prefix, caplog
):
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=3, replication_factor=1)
    store = note_store(topic)
    await add_note(backbone_engine, store, "A", 1)
    await add_note(backbone_engine, store, "A", 2)
    await add_note(backbone_engine, store, "B", 1)
    await enlarge(backbone_engine, "B", 1, BIG)
    await add_note(backbone_engine, store, "B", 2)
    await add_note(backbone_engine, store, "A", 3)
    await add_note(backbone_engine, store, "C", 1)
    parked_before = REGISTRY.get_sample_value("outbox_parked_total", {"service": "park-test"}) or 0
    producer = kafka.make_producer(bootstrap_servers)
    await producer.start()
    relay = OutboxRelay(backbone_engine, producer, service="park-test", idle_poll_s=0.05)
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(3.0)  # three 1-second retry periods of the old relay
        assert not running.done()
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        await producer.stop()
    records = await read_topic(bootstrap_servers, topic, 4)
    # Every other stream went on, each event exactly once; B waits behind its parked first event.
    assert steps_by_key(records) == {"A": [1, 2, 3], "C": [1]}
    assert await outbox_states(backbone_engine) == {
        ("A", 1): "published",
        ("A", 2): "published",
        ("A", 3): "published",
        ("B", 1): "parked",
        ("B", 2): "pending",
        ("C", 1): "published",
    }
    async with backbone_engine.connect() as conn:
        parked = text("SELECT park_error FROM outbox WHERE parked_at IS NOT NULL")
        error = (await conn.execute(parked)).scalar()
    assert "MessageSizeTooLarge" in error
    assert REGISTRY.get_sample_value("outbox_parked_total", {"service": "park-test"}) == parked_before + 1
    alerts = [r for r in caplog.records if r.levelno == logging.ERROR and "parked" in r.getMessage()]
    assert len(alerts) == 1 and alerts[0].key == "B"


async def test_a_released_row_goes_out_first_then_its_stream_resumes(
    backbone_engine, bootstrap_servers, topic_prefix
):
    """The operator fixes the cause (here: replaces the oversized payload) and clears `parked_at`."""
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=1, replication_factor=1)
    store = note_store(topic)
    await add_note(backbone_engine, store, "B", 1)
    await enlarge(backbone_engine, "B", 1, BIG)
    await add_note(backbone_engine, store, "B", 2)
    producer = kafka.make_producer(bootstrap_servers)
    await producer.start()
    try:
        relay = OutboxRelay(backbone_engine, producer, service="park-test")
        assert await relay.publish_batch() == 1  # parked, and B-2 held back
        assert await relay.publish_batch() == 0
        async with backbone_engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE outbox SET parked_at = NULL, park_error = NULL, "
                    "payload = convert_to(jsonb_set(convert_from(payload, 'UTF8')::jsonb, '{note}', "
                    "'\"trimmed\"')::text, 'UTF8') WHERE parked_at IS NOT NULL"
                )
            )
        assert await relay.publish_batch() == 2
    finally:
        await producer.stop()
    assert steps_by_key(await read_topic(bootstrap_servers, topic, 2)) == {"B": [1, 2]}
