"""Issue 11 item 9: a broker restart loses its in-memory topics; the outbox replay brings them back.

Against the real embedded broker: what the outbox had marked published is gone with the broker, and
`python -m shared.outbox.replay` (run by the launcher after restarting it, or by an operator)
re-creates the topic with the configured partitions and publishes the events again, in stream order,
with their original event ids (consumers de-duplicate by them).
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer
from sqlalchemy import text

from shared import kafka
from shared.devstack.broker import EmbeddedBroker
from shared.devstack.processes import free_port
from shared.devstack.supervisor import Child, Supervisor
from shared.outbox import OutboxRelay
from tests.backbone.support import append_steps, make_store, read_topic
from tests.faults.relay_support import outbox_states, steps_by_key

ROOT = Path(__file__).resolve().parents[2]


def replay_cli(database_url: str, bootstrap: str, *args: str) -> str:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        KAFKA_TOPIC_PARTITIONS="6",
        KAFKA_IDEMPOTENT_PRODUCER="false",
    )
    done = subprocess.run(
        [sys.executable, "-m", "shared.outbox.replay", "--service", "intake", "--database-url", database_url]
        + list(args),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def publish_all(engine, bootstrap: str) -> None:
    producer = kafka.make_producer(bootstrap)
    await producer.start()
    try:
        relay = OutboxRelay(engine, producer, service="replay-test")
        while await relay.publish_batch():
            pass
    finally:
        await producer.stop()


async def partitions(bootstrap: str, topic: str) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        await consumer.topics()  # refreshes the cluster metadata
        return len(consumer.partitions_for_topic(topic) or ())
    finally:
        await consumer.stop()


async def test_replay_from_an_outbox_id_republishes_that_suffix_with_the_same_event_ids(
    database_url, backbone_engine, bootstrap_servers, topic_prefix
):
    topic = topic_prefix + "tickets"
    await kafka.ensure_topics(bootstrap_servers, [topic], partitions=3, replication_factor=1)
    await append_steps(backbone_engine, make_store(topic), "T-1", range(1, 7))
    await publish_all(backbone_engine, bootstrap_servers)
    async with backbone_engine.connect() as conn:
        ids = (await conn.execute(text("SELECT id, event_id FROM outbox ORDER BY id"))).all()
    out = replay_cli(database_url, bootstrap_servers, "--from-id", str(ids[3].id))
    assert "replayed 3 events" in out
    records = await read_topic(bootstrap_servers, topic, 9)
    assert steps_by_key(records) == {"T-1": [1, 2, 3, 4, 5, 6, 4, 5, 6]}
    replayed = [dict(r.headers)["ce_id"].decode() for r in sorted(records, key=lambda r: r.offset)[6:]]
    assert replayed == [str(row.event_id) for row in ids[3:]]


def test_replay_refuses_a_time_without_a_zone():
    done = subprocess.run(
        [sys.executable, "-m", "shared.outbox.replay", "--service", "intake", "--since", "2026-11-28T14:00"],
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "time zone" in done.stderr


async def test_a_restarted_broker_gets_its_topic_and_events_back_from_the_outbox(
    tmp_path, database_url, backbone_engine, topic_prefix
):
    broker = EmbeddedBroker(free_port(), log_path=tmp_path / "broker.log")
    topic = topic_prefix + "tickets"
    replays: list[str] = []

    def replay_after_restart(lost_since: float) -> None:
        since = datetime.fromtimestamp(lost_since, UTC) - timedelta(seconds=5)
        replays.append(replay_cli(database_url, broker.bootstrap_servers, "--since", since.isoformat()))

    supervisor = Supervisor(backoff_s=(0.1,), report=lambda _m: None)
    try:
        child = supervisor.add(
            Child("broker", lambda: broker.start().process, after_restart=replay_after_restart)
        )
        await kafka.ensure_topics(broker.bootstrap_servers, [topic], partitions=6, replication_factor=1)
        store = make_store(topic)
        for ticket in ("T-1", "T-2", "T-3"):
            await append_steps(backbone_engine, store, ticket, range(1, 4))
        await publish_all(backbone_engine, broker.bootstrap_servers)
        assert set((await outbox_states(backbone_engine)).values()) == {"published"}
        assert len(await read_topic(broker.bootstrap_servers, topic, 9)) == 9

        child.process.send_signal(signal.SIGKILL)  # the broker dies with everything it held
        deadline = time.monotonic() + 30
        while child.restarts == 0:
            assert time.monotonic() < deadline
            supervisor.check()
            await asyncio.sleep(0.05)

        assert "replayed 9 events" in replays[0]
        assert await partitions(broker.bootstrap_servers, topic) == 6  # not the broker's default 4
        records = await read_topic(broker.bootstrap_servers, topic, 9)
        assert steps_by_key(records) == {"T-1": [1, 2, 3], "T-2": [1, 2, 3], "T-3": [1, 2, 3]}
    finally:
        supervisor.stop_all()
