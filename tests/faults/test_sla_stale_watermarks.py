"""Issue 11, item 2 (stale watermarks): the timer's gate counts only the input partitions that exist.

The SLA monitor fires a threshold only once every input partition is read past its deadline
(`sla_input_watermarks`, one row per partition). Before: every row counted, forever. A row of a
partition that no longer exists (a topic recreated with fewer partitions, as the embedded broker's
restart does: 4 instead of 6) or of a topic the monitor no longer subscribes to is never read again,
so its `read_until` never moves and no threshold ever fires again. After: the consumer reports the
partitions its topics have now (its metadata); rows of any other partition are dropped (logged and
counted), and a partition that exists but has no row yet gates until it is read. A partition that
exists and has no events is caught up at once, and a lagging one still holds thresholds back.
"""

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY
from sla_monitor.config import Settings
from sla_monitor.domain.commands import FireDueThresholds, InputTopics, PartitionRead, RecordInputsRead
from sla_monitor.entrypoints.app import create_app
from sla_monitor.entrypoints.schemas import PolicyDoc, policy_command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.testing.services import running_service, service_settings
from shared.testing.waiting import publish, wait_until
from tests.faults.sla_support import command, opened, started_monitor

POLICY = {
    "policy_id": "two",
    "name": "2-second response",
    "targets": {"P1": {"response": {"duration": "PT2S"}}},
    "warning_fractions": [],
    "ladder": [{"level": 2, "at_fraction": 1.0}],
}
STALE_SINCE = "now() - interval '1 day'"


def _retired(reason: str) -> float:
    return REGISTRY.get_sample_value("sla_input_watermarks_retired_total", {"reason": reason}) or 0.0


async def _sla_events(engine, ticket_id: str) -> list[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT event_type FROM events WHERE stream_id = :s ORDER BY version"),
            {"s": f"sla:{ticket_id}"},
        )
        return list(rows.scalars())


async def _watermarks(engine) -> set[tuple[str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT topic, partition FROM sla_input_watermarks"))
        return {(row.topic, row.partition) for row in rows}


async def test_a_watermark_of_a_vanished_partition_does_not_stop_a_due_breach(
    database_url, bootstrap_servers, topic_prefix, dev_key_file, tokens
):
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=dev_key_file,
    )
    assert settings.kafka_topic_partitions == 3
    tickets = f"{topic_prefix}servicepact.tickets.v1"
    dropped_topic = f"{topic_prefix}servicepact.returns.v1"  # once an input, no longer subscribed
    admin = tokens("ops-admin", sub="olga")
    engine = create_async_engine(database_url)
    before = _retired("partition_gone"), _retired("topic_unsubscribed")
    try:
        async with running_service(create_app, settings) as sla:
            assert (await sla.put("/policies/two", json=POLICY, headers=admin)).status_code == 201
            async with engine.begin() as conn:  # left by a run when the topics had 6 partitions
                await conn.execute(
                    text(
                        "INSERT INTO sla_input_watermarks (topic, partition, position, read_until) VALUES "
                        f"(:tickets, 5, 42, {STALE_SINCE}), (:dropped, 0, 7, {STALE_SINCE})"
                    ),
                    {"tickets": tickets, "dropped": dropped_topic},
                )
            await publish(
                bootstrap_servers,
                tickets,
                type_="TicketOpened",
                subject="T-1",
                data=opened("T-1", datetime.now(UTC), "two"),
            )

            async def breached():
                return "SlaBreached" in await _sla_events(engine, "T-1")

            # Due 2 s after the opening; the ticket's partition and the two empty ones are read.
            await wait_until(breached, timeout_s=20)
            left = await _watermarks(engine)
    finally:
        await engine.dispose()
    assert (tickets, 5) not in left and (dropped_topic, 0) not in left
    assert {(tickets, p) for p in range(3)} <= left  # every existing partition, empty ones included
    assert _retired("partition_gone") == before[0] + 1
    assert _retired("topic_unsubscribed") == before[1] + 1


async def test_a_lagging_or_unread_existing_partition_still_holds_a_due_breach(
    database_url, bootstrap_servers, topic_prefix, dev_key_file
):
    tickets, dispatch = "servicepact.tickets.v1", "servicepact.dispatch.v1"
    topics = InputTopics(
        subscribed=frozenset({tickets, dispatch}),
        partitions={tickets: frozenset({0, 1}), dispatch: frozenset({0})},
    )
    at = datetime.now(UTC) - timedelta(seconds=30)  # due 28 s ago
    async with started_monitor(database_url, bootstrap_servers, topic_prefix, dev_key_file) as monitor:
        bus, engine = monitor.bus, monitor.runtime.engine
        await bus.handle(policy_command("two", PolicyDoc.model_validate(POLICY)))
        await bus.handle(command("TicketOpened", opened("T-1", at, "two")))

        def read(topic: str, partition: int, *, until: datetime | None) -> PartitionRead:
            newest_ms = None if until is None else int(until.timestamp() * 1000)
            return PartitionRead(
                topic=topic,
                partition=partition,
                position=3,
                newest_ms=newest_ms,
                caught_up=until is None,
                age_s=0,
            )

        # tickets/1 is read only up to before the deadline; dispatch/0 not at all (no row yet).
        lagging = (read(tickets, 0, until=None), read(tickets, 1, until=at + timedelta(seconds=1)))
        await bus.handle(RecordInputsRead(partitions=lagging, topics=topics))
        assert await bus.handle(FireDueThresholds(grace_s=0.5)) == []
        await bus.handle(RecordInputsRead(partitions=(read(tickets, 1, until=None),), topics=topics))
        assert await bus.handle(FireDueThresholds(grace_s=0.5)) == [], "dispatch/0 was never read"
        await bus.handle(RecordInputsRead(partitions=(read(dispatch, 0, until=None),), topics=topics))
        assert await bus.handle(FireDueThresholds(grace_s=0.5))
        assert "SlaBreached" in await _sla_events(engine, "T-1")
