"""Why a ticket's SLA stands where it does (clocks, deadlines, business time, pauses, moves), and when
the durable timer has something to do next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from shared.domain_errors import NotFound
from sla_monitor.adapters.repositories import stream_id
from sla_monitor.adapters.state import load_state
from sla_monitor.adapters.tables import sla_tickets
from sla_monitor.views import Reader


async def next_due(reader: Reader) -> datetime | None:
    """The earliest pending threshold of any ticket (the timer sleeps until then)."""
    async with reader.engine.connect() as conn:
        return (await conn.execute(select(func.min(sla_tickets.c.due_at)))).scalar()


async def explain(reader: Reader, ticket_id: str, now: datetime) -> dict[str, Any]:
    async with reader.engine.connect() as conn:
        row = (
            await conn.execute(
                select(sla_tickets.c.state, sla_tickets.c.due_at).where(sla_tickets.c.ticket_id == ticket_id)
            )
        ).first()
        if row is None:
            raise NotFound("ticket clocks", ticket_id, field="ticket_id")
        emitted = await reader.store.read(conn, stream_id(ticket_id))
    catalog = reader.catalog
    ticket = load_state(row.state)
    policy, calendar = catalog.policy(ticket.policy_id), catalog.calendar(ticket.calendar_id)
    clocks = []
    for clock in ticket.clocks.values():
        clocks.append(
            {
                "clock": clock.name,
                "status": clock.status,
                "started_at": clock.started_at.isoformat(),
                "target_seconds": clock.target_seconds,
                "business_time": clock.business_time,
                "calendar_id": ticket.calendar_id if clock.business_time else "7x24",
                "deadline": ticket.deadline(clock, calendar).isoformat(),
                "elapsed_business_seconds": round(ticket.elapsed(clock, now, calendar), 3),
                "paused_seconds": round(clock.paused_seconds, 3),
                "pauses": [
                    {"from": a.isoformat(), "to": b.isoformat() if b else None} for a, b in clock.pauses
                ],
                "thresholds": [
                    {
                        "name": t.name,
                        "at": ticket.threshold_time(clock, t.fraction, calendar).isoformat(),
                        "emitted": t.name in clock.emitted,
                    }
                    for t in ticket.thresholds(clock, policy)
                ],
                "stopped_at": clock.stopped_at.isoformat() if clock.stopped_at else None,
                "breach_corrected": clock.corrected,
                "escalations_raised": list(clock.raised),
            }
        )
    return {
        "ticket_id": ticket_id,
        "policy_id": ticket.policy_id,
        "policy_known": catalog.knows_policy(ticket.policy_id),
        "calendar_id": ticket.calendar_id,
        "severity": ticket.severity,
        "escalation_level": ticket.level,
        "case_tier": ticket.tier,
        "unmeasured": ticket.unmeasured,
        "next_due": row.due_at.isoformat() if row.due_at else None,
        "as_of": now.isoformat(),
        "clocks": clocks,
        "moves": [{"at": m.at.isoformat(), "what": m.what} for m in ticket.moves],
        "emitted": [
            {
                "type": e.event_type,
                "occurred_at": e.occurred_at.isoformat(),
                "clock": e.data.get("clock"),
                "threshold": e.data.get("threshold"),
            }
            for e in emitted
        ],
    }
