"""A unit's history from ticket events: its outages (days out of service) and its recorded repairs.

Kept current in the transaction that appends the ticket events (a projection, like `projections`):

* `unit_outages`: a ticket about a unit opens an outage on the day the fault was reported (local
  date); waiting for parts (from the office or the field job's parts request) marks it; resolving
  it (in the office or by the field job's WorkResolved) ends it; a reopening starts a new one; a
  cancelled ticket's open outage is dropped (nothing was repaired).
* the unit's `days_out_of_service` and `out_of_service_reasons`: recomputed by the domain's rule
  (`domain.out_of_service`) whenever one of its outages ends, so every reader (lookup, ticket
  entitlement) sees the extension without computing it.
* `unit_repairs`: every resolution with a fault code, with the ticket's last assessed cause and the
  day the fault was reported (for the repeated-fault rules).

Days are local dates in the time zone of the unit's contract (Asia/Shanghai without one), as the
ticket's entitlement counts them (`domain.periods`), read once per batch for the batch's units.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.tables import contracts, unit_outages, unit_repairs, units
from intake.domain.events import (
    EntitlementAssessed,
    TicketAwaitingParts,
    TicketCancelled,
    TicketEvent,
    TicketOpened,
    TicketReopened,
    TicketResolved,
)
from intake.domain.out_of_service import Outage, extension
from intake.domain.periods import DEFAULT_TIMEZONE, local_date
from shared.envelope import Envelope

_OPEN = unit_outages.c.ended_on.is_(None)


async def project_unit_history(
    conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]
) -> None:
    """Ticket events in order; a batch of openings (with their assessments) is one insert."""
    about_units = [
        (event, event.context.unit_id)
        for event in events
        if isinstance(event, TicketEvent) and event.context.unit_id
    ]
    if not about_units:
        return
    zones = await _time_zones(conn, {unit_id for _, unit_id in about_units})
    opened: dict[str, dict[str, Any]] = {}
    ended_units: set[str] = set()
    for event, unit_id in about_units:
        zone = zones.get(unit_id, DEFAULT_TIMEZONE)
        if isinstance(event, TicketOpened):
            opened[event.ticket_id] = _outage_row(
                event.ticket_id, unit_id, local_date(event.reported_at, zone)
            )
            continue
        if isinstance(event, EntitlementAssessed) and event.ticket_id in opened:
            opened[event.ticket_id]["cause"] = event.cause
            continue
        await _insert(conn, opened)
        await _apply(conn, event, unit_id, zone, ended_units)
    await _insert(conn, opened)
    for unit_id in sorted(ended_units):
        await _recompute(conn, unit_id)


async def _time_zones(conn: AsyncConnection, unit_ids: set[str]) -> dict[str, str]:
    """Each unit's contract's time zone (units without a contract are left out: the default)."""
    query = (
        select(units.c.id, contracts.c.time_zone)
        .join(contracts, contracts.c.id == units.c.contract_id)
        .where(units.c.id.in_(sorted(unit_ids)))
    )
    return {row.id: row.time_zone for row in await conn.execute(query)}


def _outage_row(ticket_id: str, unit_id: str, started_on) -> dict[str, Any]:
    return {"ticket_id": ticket_id, "unit_id": unit_id, "started_on": started_on, "cause": None}


async def _insert(conn: AsyncConnection, opened: dict[str, dict[str, Any]]) -> None:
    if opened:
        await conn.execute(insert(unit_outages), list(opened.values()))
        opened.clear()


async def _apply(
    conn: AsyncConnection, event: TicketEvent, unit_id: str, zone: str, ended_units: set[str]
) -> None:
    of_ticket = unit_outages.c.ticket_id == event.ticket_id
    if isinstance(event, EntitlementAssessed):
        await conn.execute(update(unit_outages).where(of_ticket).values(cause=event.cause))
        await conn.execute(
            update(unit_repairs).where(unit_repairs.c.ticket_id == event.ticket_id).values(cause=event.cause)
        )
    elif isinstance(event, TicketAwaitingParts):
        await conn.execute(update(unit_outages).where(of_ticket, _OPEN).values(waited_for_parts=True))
    elif isinstance(event, TicketReopened):
        row = _outage_row(event.ticket_id, unit_id, local_date(event.occurred_at, zone))
        row["cause"] = await _last_cause(conn, event.ticket_id)
        await conn.execute(insert(unit_outages).values(**row))
    elif isinstance(event, TicketCancelled):
        await conn.execute(delete(unit_outages).where(of_ticket, _OPEN))
    elif isinstance(event, TicketResolved):
        resolved_on = local_date(event.occurred_at, zone)
        await conn.execute(update(unit_outages).where(of_ticket, _OPEN).values(ended_on=resolved_on))
        ended_units.add(unit_id)
        if event.fault_code:
            await _record_repair(conn, event, unit_id, resolved_on)


async def _last_cause(conn: AsyncConnection, ticket_id: str) -> str | None:
    query = (
        select(unit_outages.c.cause)
        .where(unit_outages.c.ticket_id == ticket_id)
        .order_by(unit_outages.c.id.desc())
        .limit(1)
    )
    return (await conn.execute(query)).scalar()


async def _record_repair(conn: AsyncConnection, event: TicketResolved, unit_id: str, resolved_on) -> None:
    first = (
        await conn.execute(
            select(unit_outages.c.started_on)
            .where(unit_outages.c.ticket_id == event.ticket_id)
            .order_by(unit_outages.c.id)
            .limit(1)
        )
    ).scalar()
    row = {
        "ticket_id": event.ticket_id,
        "unit_id": unit_id,
        "fault_code": event.fault_code,
        "resolved_on": resolved_on,
        "cause": await _last_cause(conn, event.ticket_id),
        "reported_on": first,
    }
    statement = pg_insert(unit_repairs).values(**row)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[unit_repairs.c.ticket_id],
            set_={name: statement.excluded[name] for name in row if name != "ticket_id"},
        )
    )


async def _recompute(conn: AsyncConnection, unit_id: str) -> None:
    rows = await conn.execute(select(unit_outages).where(unit_outages.c.unit_id == unit_id))
    outages = [
        Outage(
            ticket_id=r.ticket_id,
            started_on=r.started_on,
            ended_on=r.ended_on,
            waited_for_parts=r.waited_for_parts,
        )
        for r in rows
    ]
    result = extension(outages)
    await conn.execute(
        update(units)
        .where(units.c.id == unit_id)
        .values(days_out_of_service=result.days, out_of_service_reasons=list(result.reasons))
    )
