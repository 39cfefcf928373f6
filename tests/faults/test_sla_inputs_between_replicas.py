"""Issue 11, item 4: two replicas applying a ticket's first inputs at once lose none of them.

Before: replica A applies the ticket's opening (no `sla_tickets` row yet: `SELECT ... FOR UPDATE` locks
nothing), replica B applies the acknowledgement from the other topic at the same moment, finds no
ticket, keeps the input "for when the opening arrives" and commits; A, which could not see B's
uncommitted input, creates the ticket and commits. The acknowledgement is stored and never applied:
the response clock runs on and breaches. After: applying a ticket's input starts with a transaction
advisory lock on the ticket, so B waits for A and then finds the ticket.
"""

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.faults.sla_support import acknowledged, command, opened, started_monitor


async def test_the_first_inputs_of_a_ticket_on_two_replicas_are_both_applied(
    database_url, bootstrap_servers, topic_prefix, dev_key_file
):
    async with started_monitor(database_url, bootstrap_servers, topic_prefix, dev_key_file) as monitor:
        engine, bus = monitor.runtime.engine, monitor.bus
        at = datetime.now(UTC)
        async with engine.connect() as replica_a, engine.connect() as replica_b:
            tx_a = await replica_a.begin()
            await bus.handle(command("TicketOpened", opened("T-1", at)), conn=replica_a)

            async def replica_b_applies_the_acknowledgement() -> None:
                async with replica_b.begin():
                    ack = command("AssignmentAcknowledged", acknowledged("T-1", at + timedelta(seconds=1)))
                    await bus.handle(ack, conn=replica_b)

            b = asyncio.create_task(replica_b_applies_the_acknowledgement())
            await asyncio.sleep(0.5)  # B runs while A's transaction is open
            await tx_a.commit()
            await asyncio.wait_for(b, timeout=10)

        async with engine.connect() as conn:
            types = (
                (
                    await conn.execute(
                        text("SELECT event_type FROM events WHERE stream_id = 'sla:T-1' ORDER BY version")
                    )
                )
                .scalars()
                .all()
            )
            stored = (
                await conn.execute(text("SELECT count(*) FROM sla_inputs WHERE ticket_id = 'T-1'"))
            ).scalar_one()
        assert stored == 2
        assert "SlaClockStopped" in types, f"the acknowledgement was stored but never applied: {types}"
