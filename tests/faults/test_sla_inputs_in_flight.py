"""Issue 11, item 2: no false breach from an input still in flight.

Before: the timer fired when the wall clock passed a threshold, whether or not the event that stopped
the clock in time had been read. The monitor stopped, an acknowledgement made 2.5 s into a 6-second
response target published while it was down, a restart after the deadline: warning, breach, L2 and L3
escalations, then "stopped: met" (and dispatch reassigned the job). After: a threshold fires only once
every input partition has been read up to its deadline plus the grace period (the watermarks survive
the restart), and time is the database's: only "stopped: met".
"""

import asyncio
from datetime import UTC, datetime, timedelta

from sla_monitor.config import Settings
from sla_monitor.entrypoints.app import create_app

from shared.testing.services import running_service, service_settings
from shared.testing.waiting import envelopes, publish, read_topic, wait_until
from tests.faults.sla_support import acknowledged, opened

TARGET_S = 6.0
POLICY = {
    "policy_id": "six",
    "name": "6-second response",
    "targets": {"P1": {"response": {"duration": "PT6S"}}},
    "warning_fractions": [0.5],
    "ladder": [{"level": 2, "at_fraction": 1.0}, {"level": 3, "at_fraction": 1.5}],
}


async def test_an_acknowledgement_sent_while_the_monitor_was_down_is_no_breach(
    database_url, bootstrap_servers, topic_prefix, dev_key_file, tokens
):
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=dev_key_file,
    )
    admin = tokens("ops-admin", sub="olga")
    tickets, dispatch = f"{topic_prefix}servicepact.tickets.v1", f"{topic_prefix}servicepact.dispatch.v1"
    async with running_service(create_app, settings) as sla:
        assert (await sla.put("/policies/six", json=POLICY, headers=admin)).status_code == 201
        await publish(
            bootstrap_servers,
            tickets,
            type_="TicketOpened",
            subject="WARM",
            data=opened("WARM", datetime.now(UTC), "seed-003", "P4"),
        )

        async def known(ticket_id: str):
            return (await sla.get(f"/tickets/{ticket_id}/sla", headers=admin)).status_code == 200

        await wait_until(lambda: known("WARM"))  # the consumer group has joined
        at = datetime.now(UTC)
        await publish(
            bootstrap_servers, tickets, type_="TicketOpened", subject="T-1", data=opened("T-1", at, "six")
        )
        await wait_until(lambda: known("T-1"))
    stopped = datetime.now(UTC)
    assert stopped < at + timedelta(seconds=2.5), "the monitor must be down before the acknowledgement"

    await asyncio.sleep(max((at + timedelta(seconds=2.5) - datetime.now(UTC)).total_seconds(), 0))
    await publish(
        bootstrap_servers,
        dispatch,
        type_="AssignmentAcknowledged",
        subject="T-1",
        data=acknowledged("T-1", at + timedelta(seconds=2.5)),
    )
    await asyncio.sleep((at + timedelta(seconds=TARGET_S * 1.5 + 1) - datetime.now(UTC)).total_seconds())

    sla_topic = f"{topic_prefix}servicepact.sla.v1"  # also carries the catalogue's announcements

    async def about_t1() -> list:
        records = await read_topic(bootstrap_servers, sla_topic, expected=10**6, timeout_s=3)
        return [e for e in envelopes(records) if e.subject == "T-1"]

    async with running_service(create_app, settings):
        await wait_until(about_t1, timeout_s=30)
        await asyncio.sleep(3.0)  # anything the restart would still fire
        records = await read_topic(bootstrap_servers, sla_topic, expected=10**6, timeout_s=3)
    seen = [(e.type, e.data.get("outcome")) for e in envelopes(records) if e.subject == "T-1"]
    assert seen == [("SlaClockStopped", "met")]
