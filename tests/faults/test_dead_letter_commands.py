"""Issue 11, item 5: the operator sees what was dead-lettered and replays it once the bug is fixed.

Run as an operator would (`python -m shared.consumer.dlq ...`) against the real broker; a replay
republishes to the source topic with the original headers, and every consumer de-duplicates by event
id, so the one that failed applies the events once and the one that had applied them skips them.
"""

import asyncio
import json
import os
import sys
from pathlib import Path

from shared.consumer.dead_letter import DLQ_HEADERS
from tests.backbone.support import applied_rows, create_applied_table, read_topic, record_applied, wait_until
from tests.faults.support import running, send, topics, work_logged

ROOT = Path(__file__).resolve().parents[2]


async def _dlq(*args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.consumer.dlq",
        *args,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    return out.decode()


async def test_show_then_replay_after_a_fix(backbone_engine, bootstrap_servers, topic_prefix):
    await create_applied_table(backbone_engine)
    producer = await topics(bootstrap_servers, topic_prefix)
    events = [work_logged("T-1", step) for step in (1, 2, 3)]
    for envelope in events:
        await send(producer, topic_prefix + "in", envelope)
    await producer.stop()
    fixed = False

    async def buggy(conn, event, envelope):
        if event.step == 2 and not fixed:
            raise ValueError("step 2 is not supported yet")
        await record_applied(conn, event, envelope)

    consumer = running(backbone_engine, bootstrap_servers, topic_prefix, handler=buggy)
    async with consumer:
        await wait_until(lambda: _count(backbone_engine, 2))
        letters = await read_topic(bootstrap_servers, topic_prefix + "dlq", 1)
    assert len(letters) == 1

    shown = await _dlq("--bootstrap-servers", bootstrap_servers, "show", topic_prefix + "dlq", "--json")
    (letter,) = [json.loads(line) for line in shown.splitlines()]
    assert letter["event_id"] == str(events[1].id)
    assert letter["event_type"] == "WorkLogged"
    assert letter["reason"] == "handler_failed"
    assert letter["source"] == f"{topic_prefix}in:0:1"
    assert "not supported" in letter["error"]
    human = await _dlq("--bootstrap-servers", bootstrap_servers, "show", topic_prefix + "dlq")
    assert str(events[1].id) in human and "1 dead letter(s)" in human

    fixed = True
    # Another consumer group of the same topic, which applied all three long ago, must not re-apply.
    other = running(backbone_engine, bootstrap_servers, topic_prefix, group="other", handler=record_applied)
    async with other:
        await wait_until(lambda: _count(backbone_engine, 5))
        async with running(backbone_engine, bootstrap_servers, topic_prefix, handler=buggy):
            for _ in range(2):  # replaying twice is harmless
                out = await _dlq("--bootstrap-servers", bootstrap_servers, "replay", topic_prefix + "dlq")
                assert "republished 1" in out
            await wait_until(lambda: _count(backbone_engine, 6))
            await asyncio.sleep(1.0)
    rows = await applied_rows(backbone_engine)
    assert sorted(r[2] for r in rows) == [1, 1, 2, 2, 3, 3]

    republished = (await read_topic(bootstrap_servers, topic_prefix + "in", 5))[3:]
    assert len(republished) == 2
    for record in republished:
        headers = dict(record.headers)
        assert not DLQ_HEADERS & headers.keys()
        assert headers == dict(events[1].kafka_headers())
        assert record.key == b"T-1" and record.value == events[1].kafka_value()


async def _count(engine, n):
    rows = await applied_rows(engine)
    return rows if len(rows) >= n else None
