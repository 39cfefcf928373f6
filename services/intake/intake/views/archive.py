"""The customer archive as a hotline agent reads it: a customer's whole record, and the one-call
lookup by company name (partial), phone number or serial number, each unit with its warranty today;
a customer, unit or contract as it stood at `as_of` (from its stream: `archive_history`).

Dates and times are given as ISO strings, as the API always answered them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake.adapters.phones import e164
from intake.adapters.tables import companies, contacts, contracts, sites, units
from intake.domain.periods import DEFAULT_TIMEZONE
from intake.service_layer.warranty import warranty_status
from intake.views import archive_history as history
from shared.eventstore import EventStore

LOOKUP_LIMIT = 20
_PARTS = (("contacts", contacts), ("sites", sites), ("contracts", contracts), ("units", units))


class ArchiveViews:
    def __init__(self, engine: AsyncEngine, store: EventStore) -> None:
        self._engine = engine
        self._store = store

    async def company(self, company_id: str, *, as_of: datetime | None = None) -> dict[str, Any] | None:
        """A customer's whole record now (read model), or as it stood at `as_of` (its streams)."""
        async with self._engine.connect() as conn:
            if as_of is None:
                record = await _record(conn, company_id)
            else:
                record = await history.company_as_of(conn, self._store, company_id, as_of)
        return None if record is None else _with_warranty(record, now=as_of)

    async def unit(self, unit_id: str, *, as_of: datetime | None = None) -> dict[str, Any] | None:
        """The unit and the contract it is under, both now or both as they stood at `as_of`."""
        async with self._engine.connect() as conn:
            if as_of is None:
                unit = await _row(conn, units, unit_id)
            else:
                unit = await history.unit_as_of(conn, self._store, unit_id, as_of)
            if unit is None:
                return None
            contract_id = unit.get("contract_id")
            if contract_id is None:
                unit["contract"] = None
            elif as_of is None:
                unit["contract"] = await _row(conn, contracts, contract_id)
            else:
                unit["contract"] = await history.contract_as_of(conn, self._store, contract_id, as_of)
        unit["warranty"] = warranty_status(unit, as_of or datetime.now(UTC), _zone(unit["contract"]))
        return _iso(unit)

    async def contract(self, contract_id: str, *, as_of: datetime | None = None) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            if as_of is None:
                contract = await _row(conn, contracts, contract_id)
            else:
                contract = await history.contract_as_of(conn, self._store, contract_id, as_of)
        return None if contract is None else _iso(contract)

    async def events(self, stream_id: str) -> list[dict[str, Any]] | None:
        """A customer's, unit's or contract's stream, oldest first (None: no such stream)."""
        async with self._engine.connect() as conn:
            return await history.stored_events(conn, self._store, stream_id)

    async def lookup(
        self, *, company: str | None, phone: str | None, serial: str | None, limit: int = LOOKUP_LIMIT
    ) -> list[dict[str, Any]]:
        """Company records matching a partial case-insensitive name, a phone number or a serial number."""
        query = select(companies.c.id).distinct().limit(limit)
        conditions: list[ColumnElement[bool]] = []
        if company:
            escaped = company.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            pattern = "%" + escaped + "%"
            conditions.append(func.lower(companies.c.name).like(pattern))
        if phone:
            query = query.outerjoin(contacts, contacts.c.company_id == companies.c.id)
            key = e164(phone)
            conditions.append(contacts.c.phone == key if key else false())
        if serial:
            query = query.outerjoin(units, units.c.company_id == companies.c.id)
            conditions.append(units.c.serial_number == serial)
        async with self._engine.connect() as conn:
            ids = [row[0] for row in await conn.execute(query.where(or_(*conditions)))]
            found = [record for company_id in ids if (record := await _record(conn, company_id))]
        return [_with_warranty(record, serial) for record in found]


async def _record(conn: AsyncConnection, company_id: str) -> dict[str, Any] | None:
    company = (await conn.execute(select(companies).where(companies.c.id == company_id))).mappings().first()
    if company is None:
        return None
    record = dict(company)
    for key, table in _PARTS:
        rows = await conn.execute(select(table).where(table.c.company_id == company_id).order_by(table.c.id))
        record[key] = [dict(r) for r in rows.mappings()]
    return record


async def _row(conn: AsyncConnection, table, row_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(table).where(table.c.id == row_id))).mappings().first()
    return dict(row) if row else None


def _with_warranty(
    record: dict[str, Any], serial: str | None = None, now: datetime | None = None
) -> dict[str, Any]:
    now = now or datetime.now(UTC)  # each unit's status dates it locally, in its contract's zone
    by_id = {contract["id"]: contract for contract in record["contracts"]}
    for unit in record["units"]:
        unit["warranty"] = warranty_status(unit, now, _zone(by_id.get(unit.get("contract_id") or "")))
    if serial:
        record["matched_unit"] = next((u for u in record["units"] if u["serial_number"] == serial), None)
    return _iso(record)


def _zone(contract: dict[str, Any] | None) -> str:
    """The time zone a unit's days are counted in: its contract's, else the default."""
    return (contract or {}).get("time_zone") or DEFAULT_TIMEZONE


def _iso(value: Any) -> Any:
    """Dates and times as ISO strings (how the API has always shown them), recursively."""
    if isinstance(value, dict):
        return {key: _iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso(item) for item in value]
    if isinstance(value, datetime) or hasattr(value, "isoformat"):
        return value.isoformat()
    return value
