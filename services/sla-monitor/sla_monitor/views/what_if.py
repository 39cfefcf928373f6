"""Replay a time range of stored inputs against another policy: how many clocks would have been
breached. Nothing is emitted and nothing is written. The replay uses the live rules (`rules.apply`), so
the candidate's clock starts (on site at once or at the decision, `starts_at`), overrides and
`not_needed` verdicts apply; a breach a late fact corrected counts as met, not breached."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select

from shared.domain_errors import NotFound
from sla_monitor.adapters.documents import PolicyDoc
from sla_monitor.adapters.tables import sla_inputs
from sla_monitor.adapters.translate import clock_input
from sla_monitor.domain import rules
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.events import SlaBreachCorrected, SlaBreached, SlaClockStopped, SlaEvent
from sla_monitor.domain.inputs import ClockInput
from sla_monitor.domain.policy import Policy
from sla_monitor.views import Reader

MAX_TICKETS = 200_000


def candidate(reader: Reader, policy_id: str | None, document: PolicyDoc | None) -> Policy:
    """The policy given inline, or a stored one by id."""
    if document is not None:
        return document.to_domain()
    if not reader.catalog.knows_policy(policy_id or ""):
        raise NotFound("policy", policy_id or "", field="policy_id")
    return reader.catalog.policy(policy_id or "")


async def what_if(reader: Reader, policy: Policy, start: datetime, end: datetime) -> dict[str, Any]:
    opened = (
        select(sla_inputs.c.ticket_id)
        .where(
            sla_inputs.c.event_type == "TicketOpened",
            sla_inputs.c.occurred_at >= start,
            sla_inputs.c.occurred_at < end,
        )
        .limit(MAX_TICKETS)
        .scalar_subquery()
    )
    query = (
        select(sla_inputs.c.ticket_id, sla_inputs.c.event_type, sla_inputs.c.data)
        .where(sla_inputs.c.ticket_id.in_(opened), sla_inputs.c.occurred_at < end)
        .order_by(sla_inputs.c.ticket_id, sla_inputs.c.occurred_at)
    )
    streams: dict[str, list[ClockInput]] = defaultdict(list)
    registry, catalog = reader.store.registry, reader.catalog
    async with reader.engine.connect() as conn:
        async for row in await conn.stream(query):
            streams[row.ticket_id].append(clock_input(registry.load(row.event_type, row.data)))

    breached: Counter[str] = Counter()
    met: Counter[str] = Counter()
    tracked: Counter[str] = Counter()

    def policy_of(_policy_id: str) -> Policy:
        return policy  # every ticket measured against the candidate policy

    for inputs in streams.values():
        ticket: SlaTicket | None = None
        emitted: list[SlaEvent] = []
        for event in inputs:
            if ticket is not None:
                emitted += ticket.due(event.at, policy, catalog.calendar(ticket.calendar_id))
            ticket, produced = rules.apply(ticket, event, policy_of, catalog.calendar)
            emitted += produced
        if ticket is None:
            continue
        emitted += ticket.due(end, policy, catalog.calendar(ticket.calendar_id))
        for clock in ticket.clocks.values():
            tracked[clock.kind.value] += 1
        for out in emitted:
            if isinstance(out, SlaBreached):
                breached[_kind(out.clock)] += 1
            elif isinstance(out, SlaBreachCorrected):  # a late fact met it after all (counted as met)
                breached[_kind(out.clock)] -= 1
            elif isinstance(out, SlaClockStopped) and out.outcome == "met":
                met[_kind(out.clock)] += 1
    return {
        "policy_id": policy.policy_id,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "tickets": len(streams),
        "clocks": sum(tracked.values()),
        "breached": sum(breached.values()),
        "by_clock": {
            kind: {"clocks": tracked[kind], "breached": breached[kind], "met": met[kind]}
            for kind in sorted(tracked)
        },
    }


def _kind(clock_name: str) -> str:
    """Clocks such as "restore#2" or "complaint_reply:CP-1" count under their kind."""
    return clock_name.split(":")[0].split("#")[0]
