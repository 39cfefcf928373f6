"""A new ticket's context, looked up in the customer archive inside the command's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.tables import companies, contacts, contracts, sites, unit_repairs, units
from intake.domain.entitlement import ContractTerms, PriorRepair, UnitFacts, Variant
from intake.domain.errors import InvalidCommand
from intake.domain.events import Caller, Severity, TicketContext
from intake.service_layer.archive import phone_digits

DEFAULT_POLICY = "default"
DEFAULT_CALENDAR = "7x24"


@dataclass(frozen=True)
class ArchiveFacts:
    context: TicketContext
    caller: Caller
    contract: dict[str, Any] | None
    unit: dict[str, Any] | None


async def row_by_id(conn: AsyncConnection, table, row_id: str) -> dict[str, Any] | None:
    row = (await conn.execute(select(table).where(table.c.id == row_id))).mappings().first()
    return dict(row) if row else None


async def _owned(conn, table, row_id: str | None, customer_id: str, field: str) -> dict[str, Any] | None:
    if row_id is None:
        return None
    row = await row_by_id(conn, table, row_id)
    if row is None or row["company_id"] != customer_id:
        raise InvalidCommand(f"unknown {field} for this customer", field=field)
    return row


async def ticket_facts(
    conn: AsyncConnection, *, customer_id: str, severity: Severity, caller_name: str, caller_phone: str,
    contract_id: str | None = None, site_id: str | None = None, unit_id: str | None = None,
    serial_number: str | None = None,
) -> ArchiveFacts:
    if await row_by_id(conn, companies, customer_id) is None:
        raise InvalidCommand("unknown customer", field="customer_id")
    unit = await _owned(conn, units, unit_id, customer_id, "unit_id")
    if unit is None and serial_number:
        found = (await conn.execute(select(units).where(units.c.serial_number == serial_number))).mappings().first()
        if found is None or found["company_id"] != customer_id:
            raise InvalidCommand("unknown serial number for this customer", field="serial_number")
        unit = dict(found)
    site = await _owned(conn, sites, site_id or (unit and unit["site_id"]), customer_id, "site_id")
    contract = await _owned(conn, contracts, contract_id or (unit and unit["contract_id"]), customer_id,
                            "contract_id")
    region = site["region"] if site else None
    on_site = bool(contract and region in (contract["on_site_regions"] or ()))
    contact = (await conn.execute(
        select(contacts.c.id).where(contacts.c.company_id == customer_id,
                                    contacts.c.phone_digits == phone_digits(caller_phone)).limit(1)
    )).first()
    return ArchiveFacts(
        context=TicketContext(
            customer_id=customer_id,
            contract_id=contract["id"] if contract else None,
            policy_id=contract["policy_id"] if contract else DEFAULT_POLICY,
            calendar_id=contract["calendar_id"] if contract else DEFAULT_CALENDAR,
            severity=severity, region=region, site_id=site["id"] if site else None,
            unit_id=unit["id"] if unit else None, product_line=unit["product_line"] if unit else None,
            on_site_covered=on_site or (contract is not None and not contract["remote_only_elsewhere"]),
        ),
        caller=Caller(name=caller_name, phone=caller_phone, contact_id=contact[0] if contact else None,
                      registered=contact is not None),
        contract=contract, unit=unit,
    )


def unit_facts(unit: dict[str, Any]) -> UnitFacts:
    return UnitFacts(acceptance_date=unit["accepted_on"], warranty_months=unit["warranty_months"],
                     days_out_of_service=unit["days_out_of_service"], purchase_date=unit.get("purchased_on"))


def contract_terms(contract: dict[str, Any] | None) -> ContractTerms:
    if contract is None:
        return ContractTerms()
    return ContractTerms(variant=Variant(contract["three_guarantees_variant"]),
                         paid_maintenance_until=contract["paid_maintenance_until"])


async def prior_repairs(conn: AsyncConnection, unit_id: str, *, excluding_ticket: str) -> list[PriorRepair]:
    rows = await conn.execute(
        select(unit_repairs.c.fault_code, unit_repairs.c.resolved_on)
        .where(unit_repairs.c.unit_id == unit_id, unit_repairs.c.ticket_id != excluding_ticket)
    )
    return [PriorRepair(fault_code=r.fault_code, resolved_on=r.resolved_on) for r in rows]


async def record_repair(conn: AsyncConnection, *, ticket_id: str, unit_id: str, fault_code: str,
                        resolved_on: date) -> None:
    statement = insert(unit_repairs).values(ticket_id=ticket_id, unit_id=unit_id, fault_code=fault_code,
                                            resolved_on=resolved_on)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=[unit_repairs.c.ticket_id],
        set_={"fault_code": fault_code, "resolved_on": resolved_on},
    ))
