"""The customer archive's commands: reference rows added, replaced, removed, each checked first.

A row may only point at a site or contract of its own company; a contract only at a policy and a
calendar the SLA monitor has published; a contact is found later by its phone's digits, stored with
it. What the database refuses (a serial number registered twice, a row still referenced) comes back
from the adapter as an archive error naming the field.
"""

from __future__ import annotations

from typing import Any

from intake.adapters.phones import e164
from intake.domain import commands as c
from intake.domain.errors import ArchiveError
from intake.service_layer.archive import new_id
from intake.service_layer.sla_references import require_known_sla_references
from intake.service_layer.unit_of_work import IntakeUnitOfWork

ID_PREFIX = {"contacts": "P", "sites": "S", "contracts": "K", "units": "U"}


async def _require(uow: IntakeUnitOfWork, kind: str, row_id: str, field: str) -> dict[str, Any]:
    row = await uow.archive.row(kind, row_id)
    if row is None:
        raise ArchiveError(404 if field == "company_id" else 422, f"unknown {field}", field)
    return row


async def _checked(uow: IntakeUnitOfWork, company_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """The site and contract a row points at belong to the same company; a contract's policy and
    calendar exist at the SLA monitor; a contact's phone is E.164."""
    if "site_id" in values:
        site = await _require(uow, "sites", values["site_id"], "site_id")
        if site["company_id"] != company_id:
            raise ArchiveError(422, "site belongs to another company", "site_id")
    if values.get("contract_id"):
        contract = await _require(uow, "contracts", values["contract_id"], "contract_id")
        if contract["company_id"] != company_id:
            raise ArchiveError(422, "contract belongs to another company", "contract_id")
    await require_known_sla_references(
        uow, policy_id=values.get("policy_id"), calendar_id=values.get("calendar_id")
    )
    if "phone" in values:
        phone = e164(values["phone"])
        if phone is None:
            raise ArchiveError(422, "not a valid phone number", "phone")
        values = {**values, "phone": phone}
    return values


async def add_company(command: c.AddCompany, uow: IntakeUnitOfWork) -> str:
    company_id = new_id("C")
    await uow.archive.insert("companies", {"id": company_id, "name": command.name})
    return company_id


async def rename_company(command: c.RenameCompany, uow: IntakeUnitOfWork) -> None:
    if not await uow.archive.rename_company(command.company_id, command.name):
        raise ArchiveError(404, "unknown company_id", "company_id")


async def add_record(command: c.AddRecord, uow: IntakeUnitOfWork) -> str:
    row_id = new_id(ID_PREFIX[command.kind])
    await _require(uow, "companies", command.company_id, "company_id")
    values = await _checked(uow, command.company_id, command.values)
    await uow.archive.insert(command.kind, {"id": row_id, "company_id": command.company_id, **values})
    return row_id


async def replace_record(command: c.ReplaceRecord, uow: IntakeUnitOfWork) -> None:
    values = await _checked(uow, command.company_id, command.values)
    if not await uow.archive.update(command.kind, command.company_id, command.record_id, values):
        raise ArchiveError(404, "no such record for this customer", "id")


async def remove_record(command: c.RemoveRecord, uow: IntakeUnitOfWork) -> None:
    if not await uow.archive.delete(command.kind, command.company_id, command.record_id):
        raise ArchiveError(404, "no such record for this customer", "id")
