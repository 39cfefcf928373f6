"""Idempotent consumer on the real broker and PostgreSQL: de-duplication, dead letters, order."""

import asyncio
import json

from aiokafka import AIOKafkaProducer

from shared import kafka
from shared.consumer import EventConsumer
from tests.backbone.support import (
    WorkLogged,
    applied_rows,
    create_applied_table,
    make_registry,
    now,
    read_topic,
    record_applied,
    wait_until,
)

META_FIELDS = {"source": "/tests", "subject": None}


def _message(ticket_id: str, step: int):
    from shared.envelope import EventMetadata

    envelope = make_registry().envelope(
        WorkLogged(ticket_id=ticket_id, step=step, occurred_at=now()),
        source="/tests",
        subject=ticket_id,
        metadata=EventMetadata(),
    )
    return envelope, envelope.kafka_headers(), envelope.kafka_value()


async def _consumer(engine, bootstrap, prefix, handler=record_applied, **kwargs) -> EventConsumer:
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    consumer = EventConsumer(
        name=prefix + "group",
        topics=[prefix + "in"],
        bootstrap_servers=bootstrap,
        engine=engine,
        registry=make_registry(),
        handlers={"WorkLogged": handler},
        producer=producer,
        dead_letter_topic=prefix + "dlq",
        retry_backoff_s=0.01,
        **kwargs,
    )
    consumer._test_producer = producer  # type: ignore[attr-defined]
    await consumer.start()
    return consumer


async def _stop(consumer, task):
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await consumer.stop()
    await consumer._test_producer.stop()


async def _setup(bootstrap, prefix, partitions=1):
    await kafka.ensure_topics(
        bootstrap, [prefix + "in", prefix + "dlq"], partitions=partitions, replication_factor=1
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    return producer


async def test_the_same_event_delivered_twice_is_applied_once(
    backbone_engine, bootstrap_servers, topic_prefix
):
    await create_applied_table(backbone_engine)
    producer = await _setup(bootstrap_servers, topic_prefix)
    envelope, headers, value = _message("T-1", 1)
    for _ in range(2):
        await producer.send_and_wait(topic_prefix + "in", value, key=b"T-1", headers=headers)
    _, headers2, value2 = _message("T-1", 2)
    await producer.send_and_wait(topic_prefix + "in", value2, key=b"T-1", headers=headers2)
    await producer.stop()
    consumer = await _consumer(backbone_engine, bootstrap_servers, topic_prefix)
    task = asyncio.create_task(consumer.run())
    try:
        rows = await wait_until(lambda: _rows_with(backbone_engine, 2))
        await asyncio.sleep(0.5)
        rows = await applied_rows(backbone_engine)
    finally:
        await _stop(consumer, task)
    assert [(r[1], r[2]) for r in rows] == [("T-1", 1), ("T-1", 2)]
    assert rows[0][0] == str(envelope.id)


async def _rows_with(engine, n):
    rows = await applied_rows(engine)
    return rows if len(rows) >= n else None


async def test_malformed_message_goes_to_the_dead_letter_topic_and_the_next_is_processed(
    backbone_engine, bootstrap_servers, topic_prefix
):
    await create_applied_table(backbone_engine)
    producer = await _setup(bootstrap_servers, topic_prefix)
    await producer.send_and_wait(topic_prefix + "in", b"{not json", key=b"T-1", headers=[("ce_id", b"x")])
    _, headers, value = _message("T-1", 1)
    bad_payload = json.dumps({"ticket_id": "T-1", "step": "NaN-step", "occurred_at": "x"}).encode()
    await producer.send_and_wait(topic_prefix + "in", bad_payload, key=b"T-1", headers=headers)
    _, headers, value = _message("T-1", 2)
    await producer.send_and_wait(topic_prefix + "in", value, key=b"T-1", headers=headers)
    await producer.stop()
    consumer = await _consumer(backbone_engine, bootstrap_servers, topic_prefix)
    task = asyncio.create_task(consumer.run())
    try:
        rows = await wait_until(lambda: _rows_with(backbone_engine, 1))
    finally:
        await _stop(consumer, task)
    assert [(r[1], r[2]) for r in rows] == [("T-1", 2)]
    dead = await read_topic(bootstrap_servers, topic_prefix + "dlq", 2)
    assert len(dead) == 2
    reasons = [dict(r.headers)["dlq_reason"] for r in dead]
    assert reasons == [b"malformed", b"malformed"]
    assert dead[0].value == b"{not json"
    assert dict(dead[1].headers)["dlq_source_offset"] == b"1"
    assert b"step" in dict(dead[1].headers)["dlq_error"]


async def test_a_handler_that_keeps_failing_is_dead_lettered_and_order_is_kept(
    backbone_engine, bootstrap_servers, topic_prefix
):
    await create_applied_table(backbone_engine)
    producer = await _setup(bootstrap_servers, topic_prefix)
    for step in (1, 2, 3):
        _, headers, value = _message("T-1", step)
        await producer.send_and_wait(topic_prefix + "in", value, key=b"T-1", headers=headers)
    await producer.stop()
    attempts = []

    async def flaky(conn, event, envelope):
        if event.step == 2:
            attempts.append(event.step)
            raise RuntimeError("downstream said no")
        await record_applied(conn, event, envelope)

    consumer = await _consumer(
        backbone_engine, bootstrap_servers, topic_prefix, handler=flaky, max_attempts=3
    )
    task = asyncio.create_task(consumer.run())
    try:
        rows = await wait_until(lambda: _rows_with(backbone_engine, 2))
    finally:
        await _stop(consumer, task)
    assert [r[2] for r in rows] == [1, 3]
    assert attempts == [2, 2, 2]
    dead = await read_topic(bootstrap_servers, topic_prefix + "dlq", 1)
    assert [dict(r.headers)["dlq_reason"] for r in dead] == [b"handler_failed"]
    assert b"downstream said no" in dict(dead[0].headers)["dlq_error"]


async def test_per_ticket_order_is_kept_across_partitions(backbone_engine, bootstrap_servers, topic_prefix):
    await create_applied_table(backbone_engine)
    producer = await _setup(bootstrap_servers, topic_prefix, partitions=4)
    tickets = [f"T-{i}" for i in range(12)]
    for step in range(1, 21):
        for ticket in tickets:
            _, headers, value = _message(ticket, step)
            await producer.send(topic_prefix + "in", value, key=ticket.encode(), headers=headers)
    await producer.flush()
    await producer.stop()
    consumer = await _consumer(backbone_engine, bootstrap_servers, topic_prefix)
    task = asyncio.create_task(consumer.run())
    try:
        await wait_until(lambda: _rows_with(backbone_engine, 240), timeout_s=30)
    finally:
        await _stop(consumer, task)
    rows = await applied_rows(backbone_engine)
    partitions_used = {
        record.partition for record in await read_topic(bootstrap_servers, topic_prefix + "in", 240)
    }
    assert len(partitions_used) > 1
    for ticket in tickets:
        assert [step for _e, t, step in rows if t == ticket] == list(range(1, 21))
