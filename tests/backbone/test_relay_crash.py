"""A relay SIGKILLed between commit and publish (or between publish and mark) loses nothing, and the
consumer applies exactly one copy."""

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from shared import kafka
from tests.backbone.support import (
    append_steps,
    applied_rows,
    create_applied_table,
    make_store,
    read_topic,
    wait_until,
)
from tests.backbone.test_consumer import _consumer, _rows_with, _stop

ROOT = Path(__file__).resolve().parents[2]


async def _run_relay(database_url: str, bootstrap: str, crash_at: str | None) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("SERVICEPACT_RELAY_CRASH_AT", None)
    if crash_at:
        env["SERVICEPACT_RELAY_CRASH_AT"] = crash_at
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.backbone.relay_process",
        database_url,
        bootstrap,
        env=env,
        cwd=ROOT,
    )
    return await asyncio.wait_for(process.wait(), 60)


@pytest.mark.parametrize(("crash_at", "copies_on_kafka"), [("before_publish", 1), ("after_publish", 2)])
async def test_killed_relay_publishes_after_restart_and_one_copy_is_applied(
    database_url, backbone_engine, bootstrap_servers, topic_prefix, crash_at, copies_on_kafka
):
    topic = topic_prefix + "in"
    await kafka.ensure_topics(
        bootstrap_servers, [topic, topic_prefix + "dlq"], partitions=1, replication_factor=1
    )
    await create_applied_table(backbone_engine)
    await append_steps(backbone_engine, make_store(topic), "T-1", range(1, 2))

    assert await _run_relay(database_url, bootstrap_servers, crash_at) == -signal.SIGKILL
    assert await _run_relay(database_url, bootstrap_servers, None) == 0

    on_kafka = await read_topic(bootstrap_servers, topic, copies_on_kafka)
    assert len(on_kafka) == copies_on_kafka
    consumer = await _consumer(backbone_engine, bootstrap_servers, topic_prefix)
    task = asyncio.create_task(consumer.run())
    try:
        await wait_until(lambda: _rows_with(backbone_engine, 1))
        await asyncio.sleep(1.0)  # let any second copy arrive
    finally:
        await _stop(consumer, task)
    rows = await applied_rows(backbone_engine)
    assert [(ticket, step) for _e, ticket, step in rows] == [("T-1", 1)]
