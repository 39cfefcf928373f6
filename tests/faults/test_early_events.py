"""Issue 11, item 3: an event read before what it applies to is kept and applied when that appears.

A small consumer reads two topics like dispatch does: escalations (`WorkLogged` here, on `in`) and
ticket openings (`TicketOpened`, on `tickets`), both keyed by the ticket id. Its escalation handler
raises ArrivedEarly while the ticket is unknown. Before the parking mechanism the escalation was lost
(a handler that returned marked it processed; one that raised had it dead-lettered).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from shared import kafka
from shared.consumer import ArrivedEarly, EventConsumer
from shared.envelope import EventMetadata
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
from tests.faults.support import Running, send, work_logged


@dataclass(frozen=True, kw_only=True)
class TicketOpened:
    ticket_id: str
    occurred_at: datetime


def _registry():
    registry = make_registry()
    registry.register(TicketOpened)
    return registry


def ticket_opened(ticket_id: str):
    return _registry().envelope(
        TicketOpened(ticket_id=ticket_id, occurred_at=now()),
        source="/tests",
        subject=ticket_id,
        metadata=EventMetadata(),
    )


async def open_ticket(conn, event: TicketOpened, _envelope) -> None:
    await conn.execute(text("INSERT INTO tickets VALUES (:t)"), {"t": event.ticket_id})


async def escalate(conn, event: WorkLogged, envelope) -> None:
    known = await conn.scalar(text("SELECT 1 FROM tickets WHERE ticket_id = :t"), {"t": event.ticket_id})
    if known is None:
        raise ArrivedEarly(key=event.ticket_id, waiting_for="TicketOpened")
    await record_applied(conn, event, envelope)


def _running(engine, bootstrap, prefix, escalation_handler=escalate) -> Running:
    consumer = EventConsumer(
        name=prefix + "group",
        topics=[prefix + "in", prefix + "tickets"],
        bootstrap_servers=bootstrap,
        engine=engine,
        registry=_registry(),
        handlers={"WorkLogged": escalation_handler, "TicketOpened": open_ticket},
        producer=(producer := kafka.make_producer(bootstrap)),
        dead_letter_topic=prefix + "dlq",
        retry_backoff_s=0.01,
    )
    return Running(consumer, producer)


async def _setup(engine, bootstrap, prefix) -> AIOKafkaProducer:
    await create_applied_table(engine)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE tickets (ticket_id text primary key)"))
    await kafka.ensure_topics(
        bootstrap, [prefix + t for t in ("in", "tickets", "dlq")], partitions=1, replication_factor=1
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    return producer


async def _parked(engine) -> list[tuple[str, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT key, event_id FROM parked_events ORDER BY id"))
        return [tuple(row) for row in rows]


async def _steps(engine, expected: list[int]):
    steps = [row[2] for row in await applied_rows(engine)]
    return steps if steps == expected else None


async def test_an_escalation_read_before_its_ticket_is_applied_once_the_ticket_appears_after_a_restart(
    backbone_engine, bootstrap_servers, topic_prefix
):
    producer = await _setup(backbone_engine, bootstrap_servers, topic_prefix)
    early = [work_logged("T-1", 1), work_logged("T-1", 2)]
    try:
        for envelope in early:
            await send(producer, topic_prefix + "in", envelope)
        async with _running(backbone_engine, bootstrap_servers, topic_prefix):
            parked = await wait_until(lambda: _rows_if(_parked(backbone_engine), 2))
        assert parked == [("T-1", str(early[0].id)), ("T-1", str(early[1].id))]
        assert await applied_rows(backbone_engine) == []

        # While the consumer is down: the ticket is opened, and the first escalation is redelivered.
        await send(producer, topic_prefix + "tickets", ticket_opened("T-1"))
        await send(producer, topic_prefix + "in", early[0])
        async with _running(backbone_engine, bootstrap_servers, topic_prefix):
            await wait_until(lambda: _steps(backbone_engine, [1, 2]))
            await asyncio.sleep(1.0)  # the redelivered copy had its chance to be applied again
    finally:
        await producer.stop()
    rows = await applied_rows(backbone_engine)
    assert [(event_id, step) for event_id, _t, step in rows] == [(str(early[0].id), 1), (str(early[1].id), 2)]
    assert await _parked(backbone_engine) == []


async def test_an_early_escalation_is_released_by_the_ticket_opened_behind_it_in_the_same_poll(
    backbone_engine, bootstrap_servers, topic_prefix
):
    producer = await _setup(backbone_engine, bootstrap_servers, topic_prefix)
    try:
        await send(producer, topic_prefix + "in", work_logged("T-2", 1))
        await send(producer, topic_prefix + "in", work_logged("T-3", 1))  # its ticket never opens
        # Behind it in the same partition, so surely read after it (across partitions order is free).
        await send(producer, topic_prefix + "in", ticket_opened("T-2"))
        async with _running(backbone_engine, bootstrap_servers, topic_prefix):
            await wait_until(lambda: _steps(backbone_engine, [1]))
            await asyncio.sleep(0.5)
    finally:
        await producer.stop()
    assert [ticket for _e, ticket, _s in await applied_rows(backbone_engine)] == ["T-2"]
    assert [key for key, _e in await _parked(backbone_engine)] == ["T-3"]


async def test_a_redelivered_parked_event_is_not_parked_twice(
    backbone_engine, bootstrap_servers, topic_prefix
):
    producer = await _setup(backbone_engine, bootstrap_servers, topic_prefix)
    envelope = work_logged("T-4", 1)
    try:
        await send(producer, topic_prefix + "in", envelope)
        async with _running(backbone_engine, bootstrap_servers, topic_prefix):
            await wait_until(lambda: _rows_if(_parked(backbone_engine), 1))
        await send(producer, topic_prefix + "in", envelope)
        await send(producer, topic_prefix + "in", work_logged("T-4", 2))  # read after the copy
        async with _running(backbone_engine, bootstrap_servers, topic_prefix):
            await wait_until(lambda: _rows_if(_parked(backbone_engine), 2))
            await asyncio.sleep(0.5)
    finally:
        await producer.stop()
    parked = await _parked(backbone_engine)
    assert [event_id for _k, event_id in parked].count(str(envelope.id)) == 1
    assert len(parked) == 2


async def test_a_parked_event_that_fails_when_released_is_dead_lettered_and_can_be_replayed(
    backbone_engine, bootstrap_servers, topic_prefix
):
    producer = await _setup(backbone_engine, bootstrap_servers, topic_prefix)
    envelope = work_logged("T-5", 1)

    async def broken_once_known(conn, event, envelope):
        await escalate(conn, event, envelope)
        raise ValueError("escalation ladder misconfigured")

    try:
        await send(producer, topic_prefix + "in", envelope)
        await send(producer, topic_prefix + "in", ticket_opened("T-5"))  # read after it: releases it
        running = _running(backbone_engine, bootstrap_servers, topic_prefix, broken_once_known)
        async with running:
            dead = await read_topic(bootstrap_servers, topic_prefix + "dlq", 1)
    finally:
        await producer.stop()
    assert [dict(record.headers)["ce_id"].decode() for record in dead] == [str(envelope.id)]
    assert b"misconfigured" in dict(dead[0].headers)["dlq_error"]
    assert await _parked(backbone_engine) == []
    async with backbone_engine.connect() as conn:
        marked = await conn.scalar(
            text("SELECT count(*) FROM processed_events WHERE event_id = :e"), {"e": str(envelope.id)}
        )
    assert marked == 0  # a DLQ replay applies it once the ladder is fixed


async def _rows_if(rows_coro, n: int):
    rows = await rows_coro
    return rows if len(rows) >= n else None
