"""The archive's read model: the `companies`, `contacts`, `sites`, `contracts` and `units` rows,
kept current from the archive's events in the transaction that appends them.

The rows are what the hotline lookup and a new ticket's facts query read (one indexed query each);
the streams are the truth, and `as_of` reads them. A unit's row also holds what the ticket events
computed (`days_out_of_service`, `out_of_service_reasons`, see `unit_history`): an upsert from the
unit's events never overwrites those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.tables import companies, contacts, contracts, sites, units
from intake.domain import archive_events as e
from shared.envelope import Envelope

_COMPUTED = ("days_out_of_service", "out_of_service_reasons")


def _row(event: Any, table, id_field: str, company_field: str = "customer_id") -> dict[str, Any]:
    data = asdict(event)
    row = {"id": data.pop(id_field), "company_id": data.pop(company_field)}
    data.pop("occurred_at")
    data.pop("customer_id", None)
    row.update({k: (list(v) if isinstance(v, tuple) else v) for k, v in data.items() if k in table.c})
    return row


async def _upsert(conn: AsyncConnection, table, row: dict[str, Any]) -> None:
    statement = insert(table).values(**row)
    kept = ("id", *_COMPUTED)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=[table.c.id],
            set_={name: statement.excluded[name] for name in row if name not in kept},
        )
    )


async def _delete(conn: AsyncConnection, table, row_id: str) -> None:
    await conn.execute(delete(table).where(table.c.id == row_id))


async def project_archive(
    conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]
) -> None:
    for event in events:
        match event:
            case e.CustomerRegistered():
                row = {"id": event.customer_id, "name": event.name, "created_at": event.occurred_at}
                await conn.execute(insert(companies).values(**row).on_conflict_do_nothing())
            case e.CustomerRenamed():
                statement = update(companies).where(companies.c.id == event.customer_id)
                await conn.execute(statement.values(name=event.name))
            case e.ContactAdded() | e.ContactChanged():
                await _upsert(conn, contacts, _row(event, contacts, "contact_id"))
            case e.ContactRemoved():
                await _delete(conn, contacts, event.contact_id)
            case e.SiteAdded() | e.SiteChanged():
                await _upsert(conn, sites, _row(event, sites, "site_id"))
            case e.SiteRemoved():
                await _delete(conn, sites, event.site_id)
            case e.UnitRegistered() | e.UnitChanged():
                await _upsert(conn, units, _row(event, units, "unit_id"))
            case e.UnitRemoved():
                await _delete(conn, units, event.unit_id)
            case e.ContractSigned() | e.ContractChanged():
                await _upsert(conn, contracts, _row(event, contracts, "contract_id"))
            case e.ContractWithdrawn():
                await _delete(conn, contracts, event.contract_id)
