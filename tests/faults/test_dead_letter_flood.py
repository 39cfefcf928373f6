"""Issue 11, item 1: a consumer skips the event types it has no handler for, without decoding them.

Before: every message was decoded first, so each foreign type was an "unknown type" and went to the
dead-letter topic (one serial `send_and_wait` each), burying the one real poison message.
"""

from prometheus_client import REGISTRY

from tests.backbone.support import applied_rows, create_applied_table, read_topic, wait_until
from tests.faults.support import foreign, running, send, topics, work_logged

FOREIGN_TYPES = ("TechnicianAssigned", "VisitScheduled", "PartReserved")


def _skipped(consumer: str) -> float:
    return REGISTRY.get_sample_value("consumer_events_skipped_total", {"consumer": consumer}) or 0.0


async def test_foreign_types_are_skipped_and_only_a_handled_poison_message_is_dead_lettered(
    backbone_engine, bootstrap_servers, topic_prefix
):
    await create_applied_table(backbone_engine)
    producer = await topics(bootstrap_servers, topic_prefix)
    topic = topic_prefix + "in"
    await send(producer, topic, work_logged("T-1", 1))
    for i in range(100):
        for type_name in FOREIGN_TYPES:
            # Not even JSON: decoding it would fail, so a skip proves it was never decoded.
            headers, body = foreign(type_name, f"T-{i}", b"\x00 binary, not for this consumer")
            await producer.send(topic, body, key=f"T-{i}".encode(), headers=headers)
    poison = work_logged("T-1", 2)
    await producer.send_and_wait(
        topic, b'{"ticket_id": "T-1", "step": "two"}', key=b"T-1", headers=poison.kafka_headers()
    )
    await send(producer, topic, work_logged("T-1", 3))
    await producer.stop()

    async with running(backbone_engine, bootstrap_servers, topic_prefix) as consumer:
        await wait_until(lambda: _applied_steps(backbone_engine, 2))
        dead = await read_topic(bootstrap_servers, topic_prefix + "dlq", 1)
        skipped = _skipped(consumer.name)

    assert [row[2] for row in await applied_rows(backbone_engine)] == [1, 3]
    assert [dict(r.headers)["ce_id"] for r in dead] == [str(poison.id).encode()]
    assert dict(dead[0].headers)["dlq_reason"] == b"malformed"
    assert skipped == 100 * len(FOREIGN_TYPES)


async def _applied_steps(engine, count):
    rows = await applied_rows(engine)
    return rows if len(rows) >= count else None
