"""The customer archive at an instant: customers, units and contracts replayed from their streams.

The read model answers "now"; `as_of` answers what a record said then (a change of warranty terms
leaves the old ones in the stream). A unit's days out of service at `as_of` count the outages that
had ended by that day. A customer's record as of then lists its contacts and sites from its stream,
and its units and contracts as they stood then: every unit or contract registered for it by then
(found by their first event, not by today's rows, which have lost those removed since), less those
already removed or withdrawn at that instant.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.repositories import CONTRACT_PREFIX, CUSTOMER_PREFIX, UNIT_PREFIX
from intake.adapters.tables import unit_outages
from intake.domain.archive import Contract, Customer, Unit
from intake.domain.out_of_service import Outage, extension
from intake.domain.periods import local_date
from shared.eventstore import EventStore
from shared.eventstore.tables import events

_PREFIXES = (CUSTOMER_PREFIX, UNIT_PREFIX, CONTRACT_PREFIX)


async def _replayed(
    conn: AsyncConnection, store: EventStore, cls: Any, stream_id: str, as_of: datetime
) -> Any:
    found = await store.load_events(conn, stream_id, as_of=as_of)
    if not found:
        return None
    aggregate = cls.replay(found)
    return None if getattr(aggregate, "removed", False) else aggregate


def _as_row(record: Unit | Contract) -> dict[str, Any]:
    state = {k: v for k, v in record.state.items() if k not in (record.id_field, "customer_id")}
    if "on_site_regions" in state:
        state["on_site_regions"] = list(state["on_site_regions"])
    return {"id": record.record_id, "company_id": record.customer_id, **state}


async def unit_as_of(
    conn: AsyncConnection, store: EventStore, unit_id: str, as_of: datetime
) -> dict[str, Any] | None:
    if not unit_id.startswith(UNIT_PREFIX):
        return None
    unit = await _replayed(conn, store, Unit, unit_id, as_of)
    if unit is None:
        return None
    rows = await conn.execute(select(unit_outages).where(unit_outages.c.unit_id == unit_id))
    day = local_date(as_of)
    ended = [
        Outage(
            ticket_id=r.ticket_id,
            started_on=r.started_on,
            ended_on=r.ended_on,
            waited_for_parts=r.waited_for_parts,
        )
        for r in rows
        if r.ended_on is not None and r.ended_on <= day
    ]
    result = extension(ended)
    return {
        **_as_row(unit),
        "days_out_of_service": result.days,
        "out_of_service_reasons": list(result.reasons),
    }


async def contract_as_of(
    conn: AsyncConnection, store: EventStore, contract_id: str, as_of: datetime
) -> dict[str, Any] | None:
    if not contract_id.startswith(CONTRACT_PREFIX):
        return None
    contract = await _replayed(conn, store, Contract, contract_id, as_of)
    return None if contract is None else _as_row(contract)


async def company_as_of(
    conn: AsyncConnection, store: EventStore, company_id: str, as_of: datetime
) -> dict[str, Any] | None:
    if not company_id.startswith(CUSTOMER_PREFIX):
        return None
    customer = await _replayed(conn, store, Customer, company_id, as_of)
    if customer is None:
        return None

    def parts(records: dict[str, dict[str, Any]], id_field: str) -> list[dict[str, Any]]:
        rows = []
        for record_id, state in sorted(records.items()):
            rest = {k: v for k, v in state.items() if k not in (id_field, "customer_id")}
            rows.append({"id": record_id, "company_id": company_id, **rest})
        return rows

    record: dict[str, Any] = {
        "id": customer.customer_id,
        "name": customer.name,
        "created_at": customer.registered_at,
        "contacts": parts(customer.contacts, "contact_id"),
        "sites": parts(customer.sites, "site_id"),
    }
    for key, first, read in (
        ("contracts", "ContractSigned", contract_as_of),
        ("units", "UnitRegistered", unit_as_of),
    ):
        ids = await _registered(conn, first, company_id, as_of)
        found = [await read(conn, store, record_id, as_of) for record_id in ids]
        record[key] = [row for row in found if row is not None]
    return record


async def _registered(conn: AsyncConnection, first: str, company_id: str, as_of: datetime) -> list[str]:
    """The streams whose first event `first` registered a record for the customer by `as_of`."""
    query = (
        select(events.c.stream_id)
        .where(events.c.event_type == first)
        .where(events.c.data["customer_id"].astext == company_id)
        .where(events.c.occurred_at <= as_of)
        .order_by(events.c.stream_id)
    )
    return list((await conn.execute(query)).scalars())


async def stored_events(
    conn: AsyncConnection, store: EventStore, stream_id: str
) -> list[dict[str, Any]] | None:
    if not stream_id.startswith(_PREFIXES) or stream_id.startswith("CP-"):
        return None
    stored = await store.read(conn, stream_id)
    if not stored:
        return None
    return [
        {
            "version": e.version,
            "event_id": str(e.event_id),
            "type": e.event_type,
            "occurred_at": e.occurred_at.isoformat(),
            "recorded_at": e.recorded_at.isoformat(),
            "actor": e.metadata.get("actor"),
            "correlation_id": e.metadata.get("correlation_id"),
            "data": e.data,
        }
        for e in stored
    ]
