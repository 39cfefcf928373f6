"""The customer archive's read model on the unit of work's connection (its transaction).

The archive is event-sourced (customers, units, contracts: `repositories`); its rows
(`archive_projection`) answer what spans aggregates: the facts a new ticket needs, a unit's past
repairs, whether a serial number is taken, whether a site or contract is still referenced.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters import archive_facts
from intake.adapters.archive_facts import ArchiveFacts
from intake.adapters.tables import companies, contacts, contracts, sites, units
from intake.domain.entitlement import PriorRepair
from intake.domain.events import Severity

TABLES = {
    "companies": companies,
    "contacts": contacts,
    "sites": sites,
    "contracts": contracts,
    "units": units,
}


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

    async def serial_taken(self, serial_number: str, *, by_other_than: str | None = None) -> bool:
        """Whether another unit already has this serial number (serial numbers are unique)."""
        query = select(units.c.id).where(units.c.serial_number == serial_number)
        if by_other_than is not None:
            query = query.where(units.c.id != by_other_than)
        return (await self.conn.execute(query.limit(1))).first() is not None

    async def referenced(self, kind: str, row_id: str) -> bool:
        """Whether a unit points at this site or contract (it may not be removed then)."""
        column = {"sites": units.c.site_id, "contracts": units.c.contract_id}.get(kind)
        if column is None:
            return False
        return (
            await self.conn.execute(select(units.c.id).where(column == row_id).limit(1))
        ).first() is not None

    async def contract_policy(self, customer_id: str, *, on: date) -> str:
        """The policy of the customer's contract in force `on` (the latest started), else the default."""
        return await archive_facts.contract_policy(self.conn, customer_id, on=on)

    async def exists(self, kind: str, row_id: str) -> bool:
        table = TABLES[kind]
        return (await self.conn.execute(select(table.c.id).where(table.c.id == row_id))).first() is not None
