"""The customer archive's commands: customers (with contacts and sites), units and contracts, each an
event-sourced aggregate loaded through its repository; one domain method per command.

What spans aggregates is checked here first, on the archive's read model in the same transaction: a
unit points only at a site and contract of its own customer; a serial number is registered once; a
site or contract a unit points at is not removed. A contact's phone is stored in E.164. A contract's
terms go through `_contract_values`, the one place a contract is saved from: its policy and calendar
must be ones the SLA monitor has published.
"""

from __future__ import annotations

from typing import Any

from intake.adapters.phones import e164
from intake.domain import commands as c
from intake.domain.archive import Contract, Customer, Unit
from intake.domain.errors import ArchiveError
from intake.service_layer.archive import new_id
from intake.service_layer.handlers.tickets import now
from intake.service_layer.sla_references import require_known_sla_references
from intake.service_layer.unit_of_work import IntakeUnitOfWork

ID_PREFIX = {"contacts": "P", "sites": "S", "contracts": "K", "units": "U"}
_NOT_HERE = "no such record for this customer"


async def _customer(uow: IntakeUnitOfWork, company_id: str) -> Customer:
    customer = await uow.customers.get(company_id)
    if customer is None:
        raise ArchiveError(404, "unknown company_id", "company_id")
    return customer


async def _owned_row(uow: IntakeUnitOfWork, kind: str, row_id: str, company_id: str, field: str) -> None:
    row = await uow.archive.row(kind, row_id)
    if row is None:
        raise ArchiveError(422, f"unknown {field}", field)
    if row["company_id"] != company_id:
        raise ArchiveError(422, f"{field.removesuffix('_id')} belongs to another company", field)


async def _checked(uow: IntakeUnitOfWork, company_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """The site and contract a row points at belong to the same company; a contact's phone is E.164."""
    if "site_id" in values:
        await _owned_row(uow, "sites", values["site_id"], company_id, "site_id")
    if values.get("contract_id"):
        await _owned_row(uow, "contracts", values["contract_id"], company_id, "contract_id")
    if "phone" in values:
        phone = e164(values["phone"])
        if phone is None:
            raise ArchiveError(422, "not a valid phone number", "phone")
        values = {**values, "phone": phone}
    return values


async def _unit_values(
    uow: IntakeUnitOfWork, company_id: str, values: dict[str, Any], unit_id: str | None = None
) -> dict[str, Any]:
    values = await _checked(uow, company_id, values)
    serial = values.get("serial_number")
    if serial and await uow.archive.serial_taken(serial, by_other_than=unit_id):
        raise ArchiveError(409, "serial number already registered", "serial_number")
    return values


async def _contract_values(uow: IntakeUnitOfWork, company_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """A contract's terms as they will be saved (signing and every change come through here)."""
    await require_known_sla_references(
        uow, policy_id=values.get("policy_id"), calendar_id=values.get("calendar_id")
    )
    return await _checked(uow, company_id, values)


async def add_company(command: c.AddCompany, uow: IntakeUnitOfWork) -> str:
    customer = Customer.register(new_id("C"), command.name, now())
    uow.customers.add(customer)
    return customer.customer_id


async def rename_company(command: c.RenameCompany, uow: IntakeUnitOfWork) -> None:
    (await _customer(uow, command.company_id)).rename(command.name, now())


async def add_record(command: c.AddRecord, uow: IntakeUnitOfWork) -> str:
    row_id = new_id(ID_PREFIX[command.kind])
    customer = await _customer(uow, command.company_id)
    company_id = customer.customer_id
    if command.kind == "contacts":
        customer.add_contact(row_id, await _checked(uow, company_id, command.values), now())
    elif command.kind == "sites":
        customer.add_site(row_id, await _checked(uow, company_id, command.values), now())
    elif command.kind == "units":
        values = await _unit_values(uow, company_id, command.values)
        uow.units.add(Unit.register(row_id, company_id, values, now()))
    else:
        values = await _contract_values(uow, company_id, command.values)
        uow.contracts.add(Contract.sign(row_id, company_id, values, now()))
    return row_id


async def _record(uow: IntakeUnitOfWork, kind: str, company_id: str, row_id: str) -> Unit | Contract:
    found = await (uow.units if kind == "units" else uow.contracts).get(row_id)
    if found is None or not found.belongs_to(company_id):
        raise ArchiveError(404, _NOT_HERE, "id")
    return found


async def replace_record(command: c.ReplaceRecord, uow: IntakeUnitOfWork) -> None:
    company_id, row_id = command.company_id, command.record_id
    if command.kind in ("contacts", "sites"):
        customer = await _customer(uow, company_id)
        values = await _checked(uow, company_id, command.values)
        change = customer.change_contact if command.kind == "contacts" else customer.change_site
        change(row_id, values, now())
        return
    if command.kind == "units":  # the values are checked first, as they always were
        values = await _unit_values(uow, company_id, command.values, unit_id=row_id)
    else:
        values = await _contract_values(uow, company_id, command.values)
    (await _record(uow, command.kind, company_id, row_id)).change(values, now())


async def remove_record(command: c.RemoveRecord, uow: IntakeUnitOfWork) -> None:
    company_id, row_id = command.company_id, command.record_id
    if command.kind in ("contacts", "sites"):
        customer = await _customer(uow, company_id)
        if command.kind == "contacts":
            customer.remove_contact(row_id, now())
            return
        if row_id in customer.sites and await uow.archive.referenced("sites", row_id):
            raise ArchiveError(409, "still referenced by other records (units, contracts)", "id")
        customer.remove_site(row_id, now())
        return
    record = await _record(uow, command.kind, company_id, row_id)
    if await uow.archive.referenced(command.kind, row_id):
        raise ArchiveError(409, "still referenced by other records (units, contracts)", "id")
    record.remove(now())
