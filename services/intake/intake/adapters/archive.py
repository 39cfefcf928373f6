"""The customer archive on the unit of work's connection: rows read and written in its transaction.

Reference data kept as plain mutable rows (companies, contacts, sites, contracts, units). Handlers
decide what may change; this adapter only speaks SQL, and turns the database's refusals (a serial
number already registered, a row still referenced) into archive errors naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters import archive_facts
from intake.adapters.archive_facts import ArchiveFacts
from intake.adapters.tables import companies, contacts, contracts, sites, units
from intake.domain.entitlement import PriorRepair
from intake.domain.errors import ArchiveError
from intake.domain.events import Severity

TABLES = {
    "companies": companies,
    "contacts": contacts,
    "sites": sites,
    "contracts": contracts,
    "units": units,
}


def _integrity(exc: IntegrityError) -> ArchiveError:
    if "serial_number" in str(exc.orig):
        return ArchiveError(409, "serial number already registered", "serial_number")
    if "foreign key" in str(exc.orig).lower():
        return ArchiveError(409, "still referenced by other records (units, contracts)", "id")
    raise exc


class Archive:
    def __init__(self, uow: Any, facts_memo: dict[tuple, ArchiveFacts] | None = None) -> None:
        self._uow = uow  # the unit of work: its connection exists once it is entered
        self._facts = facts_memo if facts_memo is not None else {}

    @property
    def conn(self) -> AsyncConnection:
        return self._uow.conn

    async def ticket_facts(
        self,
        *,
        customer_id: str,
        severity: Severity,
        caller_name: str,
        caller_phone: str,
        contract_id: str | None = None,
        site_id: str | None = None,
        unit_id: str | None = None,
        serial_number: str | None = None,
    ) -> ArchiveFacts:
        """What a new ticket needs from the archive (see archive_facts.ticket_facts), read once per memo."""
        caller = (caller_name, caller_phone)
        memo = (customer_id, severity, *caller, contract_id, site_id, unit_id, serial_number)
        if memo not in self._facts:
            self._facts[memo] = await archive_facts.ticket_facts(
                self.conn,
                customer_id=customer_id,
                severity=severity,
                caller_name=caller_name,
                caller_phone=caller_phone,
                contract_id=contract_id,
                site_id=site_id,
                unit_id=unit_id,
                serial_number=serial_number,
            )
        return self._facts[memo]

    async def prior_repairs(self, unit_id: str, *, excluding_ticket: str) -> list[PriorRepair]:
        return await archive_facts.prior_repairs(self.conn, unit_id, excluding_ticket=excluding_ticket)

    async def row(self, kind: str, row_id: str) -> dict[str, Any] | None:
        """One row of `kind` (a key of TABLES) by id, or None."""
        return await archive_facts.row_by_id(self.conn, TABLES[kind], row_id)

    async def insert(self, kind: str, values: dict[str, Any]) -> None:
        try:
            await self.conn.execute(insert(TABLES[kind]).values(**values))
        except IntegrityError as exc:
            raise _integrity(exc) from None

    async def update(self, kind: str, company_id: str, row_id: str, values: dict[str, Any]) -> bool:
        """False: no such row for this company."""
        table = TABLES[kind]
        try:
            result = await self.conn.execute(
                update(table).where(table.c.id == row_id, table.c.company_id == company_id).values(**values)
            )
        except IntegrityError as exc:
            raise _integrity(exc) from None
        return result.rowcount > 0

    async def delete(self, kind: str, company_id: str, row_id: str) -> bool:
        """False: no such row for this company."""
        table = TABLES[kind]
        try:
            result = await self.conn.execute(
                delete(table).where(table.c.id == row_id, table.c.company_id == company_id)
            )
        except IntegrityError as exc:
            raise _integrity(exc) from None
        return result.rowcount > 0

    async def rename_company(self, company_id: str, name: str) -> bool:
        result = await self.conn.execute(
            update(companies).where(companies.c.id == company_id).values(name=name)
        )
        return result.rowcount > 0

    async def contract_policy(self, customer_id: str, *, on: date) -> str:
        """The policy of the customer's contract in force `on` (the latest started), else the default."""
        return await archive_facts.contract_policy(self.conn, customer_id, on=on)

    async def exists(self, kind: str, row_id: str) -> bool:
        table = TABLES[kind]
        return (await self.conn.execute(select(table.c.id).where(table.c.id == row_id))).first() is not None
