"""Issue 11, item 2 (speed): catching up on many overdue clocks after a restart runs in short
transactions of at most BATCH tickets, several at once while behind, and emits every threshold once.

250 tickets, each with four running clocks opened a day ago (every threshold overdue), are stored as
the monitor stores them; the timer's `tick()` is called until nothing is due. The first tick is one
batch; once a batch came back full the next ticks run CATCH_UP_LANES batches at once (each its own
transaction on rows the other skipped), and the tick after the backlog fires nothing.
"""

import json
from datetime import UTC, datetime, timedelta

from sla_monitor.adapters.state import dump_state
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.seeds import SEED_003
from sla_monitor.entrypoints.timer import BATCH, CATCH_UP_LANES
from sqlalchemy import text

from tests.faults.sla_support import started_monitor

TICKETS = 250


def _overdue_state() -> str:
    ticket = SlaTicket.open(
        ticket_id="TEMPLATE",
        policy=SEED_003,
        calendar_id="7x24",
        severity="P2",
        customer_id="C-1",
        region="SH",
        opened_at=datetime.now(UTC) - timedelta(days=1),
        on_site_covered=True,
    )
    return json.dumps(dump_state(ticket))


async def test_a_backlog_of_overdue_clocks_is_fired_once_in_batches_several_at_a_time(
    database_url, bootstrap_servers, topic_prefix, dev_key_file
):
    async with started_monitor(database_url, bootstrap_servers, topic_prefix, dev_key_file) as monitor:
        engine = monitor.runtime.engine
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO sla_tickets (ticket_id, state, version, due_at, updated_at) "
                    "SELECT 'LATE-' || n,"
                    " jsonb_set(CAST(:state AS jsonb), '{ticket_id}', to_jsonb('LATE-' || n)),"
                    " 0, now() - interval '1 day' + n * interval '1 ms', now() "
                    "FROM generate_series(1, :count) AS n"
                ),
                {"state": _overdue_state(), "count": TICKETS},
            )
        fired = []
        while n := await monitor.timer.tick():
            fired.append(n)
        async with engine.connect() as conn:
            per_stream = (
                await conn.execute(
                    text(
                        "SELECT stream_id, count(*) FROM events WHERE stream_type = 'sla' GROUP BY stream_id"
                    )
                )
            ).all()
            guarded = await conn.scalar(text("SELECT count(*) FROM sla_emissions"))
            queued = await conn.scalar(
                text(
                    "SELECT count(*) FROM outbox o JOIN events e USING (event_id) WHERE e.stream_type = 'sla'"
                )
            )
            versions = (await conn.execute(text("SELECT DISTINCT version FROM sla_tickets"))).scalars().all()
            still_due = await conn.scalar(text("SELECT count(*) FROM sla_tickets WHERE due_at <= now()"))

    assert fired[0] == BATCH  # on time (not behind yet): one batch
    assert fired[1] == TICKETS - BATCH  # behind: the rest, in batches at once (capacity to spare)
    assert len(fired) == 2 and CATCH_UP_LANES * BATCH >= TICKETS - BATCH
    assert sum(fired) == TICKETS
    counts = {count for _, count in per_stream}
    assert len(per_stream) == TICKETS and len(counts) == 1  # every ticket, each the same thresholds
    (per_ticket,) = counts
    assert per_ticket > 4  # warnings, breaches and escalations of four clocks
    assert guarded == queued == TICKETS * per_ticket  # each emitted once, each with its outbox row
    assert versions == [per_ticket]
    assert still_due == 0
