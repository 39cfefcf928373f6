"""The customer archive as a hotline agent reads it: a customer's whole record, and the one-call
lookup by company name (partial), phone number or serial number, each unit with its warranty today.

Dates and times are given as ISO strings, as the API always answered them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from intake.adapters.phones import e164
from intake.adapters.tables import companies, contacts, contracts, sites, units
from intake.service_layer.warranty import warranty_status

LOOKUP_LIMIT = 20
_PARTS = (("contacts", contacts), ("sites", sites), ("contracts", contracts), ("units", units))


class ArchiveViews:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def company(self, company_id: str) -> dict[str, Any] | None:
        async with self._engine.connect() as conn:
            record = await _record(conn, company_id)
        return None if record is None else _with_warranty(record)

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


def _with_warranty(record: dict[str, Any], serial: str | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)  # each unit's status dates it locally (warranty_status)
    for unit in record["units"]:
        unit["warranty"] = warranty_status(unit, now)
    if serial:
        record["matched_unit"] = next((u for u in record["units"] if u["serial_number"] == serial), None)
    return _iso(record)


def _iso(value: Any) -> Any:
    """Dates and times as ISO strings (how the API has always shown them), recursively."""
    if isinstance(value, dict):
        return {key: _iso(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_iso(item) for item in value]
    if isinstance(value, datetime) or hasattr(value, "isoformat"):
        return value.isoformat()
    return value
