"""Issue 11, item 5: a transient failure holds the partition and is retried; it is never dead-lettered.

Before: a lock timeout (or a deadlock, a statement timeout, a concurrency conflict) lasting a second
was retried three times within a fraction of a second, dead-lettered, and the ticket's later events
were applied without it.
"""

import asyncio

import pytest
from aiokafka import TopicPartition
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from shared.consumer.errors import is_transient
from shared.errors import ConcurrencyConflict
from tests.backbone.support import applied_rows, create_applied_table, read_topic, record_applied, wait_until
from tests.faults.support import running, send, topics, work_logged


async def test_a_lock_timeout_holds_the_partition_until_the_lock_is_free(
    backbone_engine, bootstrap_servers, topic_prefix
):
    await create_applied_table(backbone_engine)
    async with backbone_engine.begin() as conn:
        await conn.execute(text("CREATE TABLE gate (id int primary key)"))
        await conn.execute(text("INSERT INTO gate VALUES (1)"))
    producer = await topics(bootstrap_servers, topic_prefix, partitions=2)
    topic = topic_prefix + "in"
    for step in (1, 2, 3):
        await send(producer, topic, work_logged("T-1", step), partition=0)
    attempts = []

    async def behind_the_gate(conn, event, envelope):
        if event.step == 2:
            attempts.append(event.step)
            await conn.execute(text("SET LOCAL lock_timeout = '50ms'"))
            await conn.execute(text("SELECT id FROM gate WHERE id = 1 FOR UPDATE"))
        await record_applied(conn, event, envelope)

    async with backbone_engine.connect() as holder:
        await holder.begin()
        await holder.execute(text("SELECT id FROM gate WHERE id = 1 FOR UPDATE"))  # the gate is shut
        async with running(backbone_engine, bootstrap_servers, topic_prefix, handler=behind_the_gate) as c:
            await wait_until(lambda: _steps(backbone_engine, "T-1", [1]))
            # Other partitions go on while partition 0 waits.
            await send(producer, topic, work_logged("T-2", 1), partition=1)
            await wait_until(lambda: _steps(backbone_engine, "T-2", [1]))
            await asyncio.sleep(1.0)
            held_steps = [r[2] for r in await applied_rows(backbone_engine) if r[1] == "T-1"]
            committed = await c._consumer.committed(TopicPartition(topic, 0))
            await holder.rollback()  # the gate opens
            await wait_until(lambda: _steps(backbone_engine, "T-1", [1, 2, 3]))
    await producer.stop()

    assert held_steps == [1], "step 3 overtook the held step 2"
    assert committed in (None, 1), "offset committed past the held event"
    assert len(attempts) >= 3
    assert await read_topic(bootstrap_servers, topic_prefix + "dlq", 0) == []


async def test_a_concurrency_conflict_is_retried_not_dead_lettered(
    backbone_engine, bootstrap_servers, topic_prefix
):
    await create_applied_table(backbone_engine)
    producer = await topics(bootstrap_servers, topic_prefix)
    for step in (1, 2):
        await send(producer, topic_prefix + "in", work_logged("T-1", step))
    await producer.stop()
    conflicts = []

    async def contended(conn, event, envelope):
        if event.step == 1 and len(conflicts) < 4:  # more failures than max_attempts
            conflicts.append(1)
            raise ConcurrencyConflict("T-1", expected_version=1, actual_version=2)
        await record_applied(conn, event, envelope)

    async with running(backbone_engine, bootstrap_servers, topic_prefix, handler=contended):
        await wait_until(lambda: _steps(backbone_engine, "T-1", [1, 2]))
    assert len(conflicts) == 4
    assert await read_topic(bootstrap_servers, topic_prefix + "dlq", 0) == []


async def _steps(engine, ticket, expected):
    steps = [r[2] for r in await applied_rows(engine) if r[1] == ticket]
    return steps if steps == expected else None


async def _error_from(engine, *statements: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as raised:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    return raised.value


def _raising(sqlstate: str) -> str:
    return f"DO $$ BEGIN RAISE EXCEPTION 'injected' USING ERRCODE = '{sqlstate}'; END $$"


@pytest.mark.parametrize("sqlstate", ["40001", "40P01", "55P03", "57014", "08006", "53300", "57P01"])
async def test_transient_sqlstates_from_the_real_driver(backbone_engine, sqlstate):
    assert is_transient(await _error_from(backbone_engine, _raising(sqlstate)))


@pytest.mark.parametrize("sqlstate", ["23505", "23502", "22P02", "42703", "P0001", "57P04"])
async def test_deterministic_sqlstates_from_the_real_driver(backbone_engine, sqlstate):
    assert not is_transient(await _error_from(backbone_engine, _raising(sqlstate)))


async def test_a_real_statement_timeout_is_transient(backbone_engine):
    error = await _error_from(backbone_engine, "SET LOCAL statement_timeout = 20", "SELECT pg_sleep(1)")
    assert is_transient(error)


def test_other_errors_are_deterministic_and_conflicts_transient():
    assert is_transient(ConcurrencyConflict("T-1", 1, 2))
    assert is_transient(ConnectionResetError())
    assert not is_transient(ValueError("bad payload"))
    assert not is_transient(KeyError("ticket"))
