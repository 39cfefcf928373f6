"""Customer archive: reference data kept as plain rows, looked up the way a hotline agent needs."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, false, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.phones import e164
from intake.adapters.tables import companies, contacts, contracts, sites, units
from shared.domain_errors import DomainError


class ArchiveError(DomainError):
    """A refused archive change; its title says why (answered as /problems/archive)."""

    code = "archive"

    def __init__(self, status: int, title: str, field: str | None = None) -> None:
        super().__init__(title, field=field)
        self.status, self.title = status, title

    @property
    def detail(self) -> str | None:
        return None


def new_id(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex[:12]}"


async def _require(conn, table, row_id: str, field: str) -> dict[str, Any]:
    row = (await conn.execute(select(table).where(table.c.id == row_id))).mappings().first()
    if row is None:
        raise ArchiveError(404 if field == "company_id" else 422, f"unknown {field}", field)
    return dict(row)


async def add_company(engine: AsyncEngine, name: str) -> str:
    company_id = new_id("C")
    async with engine.begin() as conn:
        await conn.execute(insert(companies).values(id=company_id, name=name))
    return company_id


async def _check_references(conn, company_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """The site and contract a row points at belong to the same company; a contact's phone is E.164."""
    if "site_id" in values:
        site = await _require(conn, sites, values["site_id"], "site_id")
        if site["company_id"] != company_id:
            raise ArchiveError(422, "site belongs to another company", "site_id")
    if values.get("contract_id"):
        contract = await _require(conn, contracts, values["contract_id"], "contract_id")
        if contract["company_id"] != company_id:
            raise ArchiveError(422, "contract belongs to another company", "contract_id")
    if "phone" in values:
        phone = e164(values["phone"])
        if phone is None:
            raise ArchiveError(422, "not a valid phone number", "phone")
        values = {**values, "phone": phone}
    return values


def _integrity(exc: IntegrityError) -> ArchiveError:
    if "serial_number" in str(exc.orig):
        return ArchiveError(409, "serial number already registered", "serial_number")
    if "foreign key" in str(exc.orig).lower():
        return ArchiveError(409, "still referenced by other records (units, contracts)", "id")
    raise exc


async def add_row(engine: AsyncEngine, table, kind: str, company_id: str, values: dict[str, Any]) -> str:
    row_id = new_id(kind)
    async with engine.begin() as conn:
        await _require(conn, companies, company_id, "company_id")
        values = await _check_references(conn, company_id, values)
        try:
            await conn.execute(insert(table).values(id=row_id, company_id=company_id, **values))
        except IntegrityError as exc:
            raise _integrity(exc) from None
    return row_id


async def replace_row(
    engine: AsyncEngine, table, company_id: str, row_id: str, values: dict[str, Any]
) -> None:
    async with engine.begin() as conn:
        values = await _check_references(conn, company_id, values)
        try:
            result = await conn.execute(
                update(table).where(table.c.id == row_id, table.c.company_id == company_id).values(**values)
            )
        except IntegrityError as exc:
            raise _integrity(exc) from None
        if result.rowcount == 0:
            raise ArchiveError(404, "no such record for this customer", "id")


async def remove_row(engine: AsyncEngine, table, company_id: str, row_id: str) -> None:
    async with engine.begin() as conn:
        try:
            result = await conn.execute(
                delete(table).where(table.c.id == row_id, table.c.company_id == company_id)
            )
        except IntegrityError as exc:
            raise _integrity(exc) from None
        if result.rowcount == 0:
            raise ArchiveError(404, "no such record for this customer", "id")


async def rename_company(engine: AsyncEngine, company_id: str, name: str) -> None:
    async with engine.begin() as conn:
        result = await conn.execute(update(companies).where(companies.c.id == company_id).values(name=name))
        if result.rowcount == 0:
            raise ArchiveError(404, "unknown company_id", "company_id")


async def company_record(engine: AsyncEngine, company_id: str) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        company = (
            (await conn.execute(select(companies).where(companies.c.id == company_id))).mappings().first()
        )
        if company is None:
            return None
        record = dict(company)
        for key, table in (
            ("contacts", contacts),
            ("sites", sites),
            ("contracts", contracts),
            ("units", units),
        ):
            rows = await conn.execute(
                select(table).where(table.c.company_id == company_id).order_by(table.c.id)
            )
            record[key] = [dict(r) for r in rows.mappings()]
    return record


async def find(
    engine: AsyncEngine, *, company: str | None, phone: str | None, serial: str | None, limit: int = 20
) -> list[dict[str, Any]]:
    """Company ids matching a partial case-insensitive name, a phone number or a serial number."""
    query = select(companies.c.id).distinct().limit(limit)
    conditions = []
    if company:
        pattern = "%" + company.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(func.lower(companies.c.name).like(pattern))
    if phone:
        query = query.outerjoin(contacts, contacts.c.company_id == companies.c.id)
        key = e164(phone)
        conditions.append(contacts.c.phone == key if key else false())
    if serial:
        query = query.outerjoin(units, units.c.company_id == companies.c.id)
        conditions.append(units.c.serial_number == serial)
    async with engine.connect() as conn:
        ids = [row[0] for row in await conn.execute(query.where(or_(*conditions)))]
    return [record for company_id in ids if (record := await company_record(engine, company_id))]


async def unit_by_serial(engine: AsyncEngine, serial: str) -> dict[str, Any] | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(units).where(units.c.serial_number == serial))).mappings().first()
    return dict(row) if row else None
