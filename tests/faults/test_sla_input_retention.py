"""Issue 11, item 10 (the SLA monitor's part): its stored inputs stop growing forever.

Before: the shared retention job pruned the backbone tables only; every input the monitor consumed
stayed in `sla_inputs` for good. After: the service adds a rule to the same job: the inputs of a
ticket whose clocks have all stopped and that has not moved for `input_retention_days` go, all
together; a ticket with a running clock, a recently closed one and inputs still waiting for their
ticket's opening keep theirs, and the clock states stay (a late fact or a reopening still finds them).
"""

from datetime import UTC, datetime, timedelta

from sla_monitor.config import Settings
from sla_monitor.domain.commands import FireDueThresholds
from sqlalchemy import text

from shared.testing.waiting import wait_until
from tests.faults.sla_support import acknowledged, command, opened, started_monitor

DAYS = 30
OPEN = '$.clocks.*.status ? (@ == "running" || @ == "paused")'


def closed(ticket_id: str, at: datetime) -> dict:
    return {"ticket_id": ticket_id, "occurred_at": at.isoformat()}


async def _inputs(engine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT ticket_id, count(*) AS n FROM sla_inputs GROUP BY ticket_id"))
        return {row.ticket_id: row.n for row in rows}


async def test_inputs_of_long_closed_tickets_are_pruned_and_the_rest_kept(
    database_url, bootstrap_servers, topic_prefix, dev_key_file
):
    at = datetime.now(UTC) - timedelta(days=DAYS + 10)
    overrides = {"retention_interval_s": 0.2, "input_retention_days": DAYS}
    async with started_monitor(database_url, bootstrap_servers, topic_prefix, dev_key_file) as monitor:
        bus, engine = monitor.bus, monitor.runtime.engine
        for ticket_id in ("T-OLD", "T-RECENT", "T-OPEN"):
            await bus.handle(command("TicketOpened", opened(ticket_id, at)))
            await bus.handle(
                command("AssignmentAcknowledged", acknowledged(ticket_id, at + timedelta(hours=1)))
            )
        for ticket_id in ("T-OLD", "T-RECENT"):
            await bus.handle(command("TicketClosed", closed(ticket_id, at + timedelta(days=2))))
        # Waiting for an opening that has not arrived: no ticket row, kept however old.
        await bus.handle(command("AssignmentAcknowledged", acknowledged("T-EARLY", at)))
        await bus.handle(FireDueThresholds())
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "UPDATE sla_tickets SET updated_at = now() - make_interval(days => CASE ticket_id"
                    " WHEN 'T-RECENT' THEN :d - 1 ELSE :d + 1 END)"
                ),
                {"d": DAYS},
            )
            still_open = set(
                (
                    await conn.execute(
                        text(
                            "SELECT ticket_id FROM sla_tickets"
                            " WHERE jsonb_path_exists(state, CAST(:p AS jsonpath))"
                        ),
                        {"p": OPEN},
                    )
                ).scalars()
            )
        assert still_open == {"T-OPEN"}, "precondition: the closed tickets have no open clock"
        before = await _inputs(engine)
        assert before == {"T-OLD": 3, "T-RECENT": 3, "T-OPEN": 2, "T-EARLY": 1}

    # The service's retention job, as it runs in production (a pass every retention_interval_s).
    async with started_monitor(
        database_url, bootstrap_servers, topic_prefix, dev_key_file, **overrides
    ) as monitor:
        engine = monitor.runtime.engine

        async def pruned():
            return "T-OLD" not in await _inputs(engine)

        await wait_until(pruned, timeout_s=10)
        after = await _inputs(engine)
        async with engine.connect() as conn:
            states = set((await conn.execute(text("SELECT ticket_id FROM sla_tickets"))).scalars())
        # A late input for the pruned ticket is still applied to its kept state, and kept itself.
        await monitor.bus.handle(command("TicketReopened", closed("T-OLD", datetime.now(UTC))))
        reopened = await _inputs(engine)
    assert after == {"T-RECENT": 3, "T-OPEN": 2, "T-EARLY": 1}
    assert states == {"T-OLD", "T-RECENT", "T-OPEN"}
    assert reopened["T-OLD"] == 1


def test_the_retention_of_inputs_is_a_setting_from_the_environment(monkeypatch):
    assert Settings().input_retention_days >= 365, "a what-if replay reaches back a year by default"
    monkeypatch.setenv("SLA_MONITOR_INPUT_RETENTION_DAYS", "90")
    assert Settings().input_retention_days == 90
