"""Customer archive over HTTP, and the one-call lookup a hotline agent needs.

Changes are commands on the bus (the archive's rows are written in its unit of work); reads are
views. Contacts, sites, contracts and units share one shape of route, named by their collection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from intake.domain import commands as c
from intake.domain.errors import MalformedRequest, NotFound
from intake.entrypoints.dependencies import (
    ArchiveEditor,
    ArchiveReader,
    ArchiveViewsDep,
    BusDep,
)
from intake.entrypoints.schemas import (
    ArchiveHistory,
    CompanyIn,
    CompanyRecord,
    ContactIn,
    ContractIn,
    ContractOut,
    Created,
    Lookup,
    SiteIn,
    UnitIn,
    UnitRecord,
)
from shared.http.context import event_metadata

router = APIRouter(tags=["customer archive"])


async def _add(bus: BusDep, principal, kind: str, company_id: str, body: BaseModel) -> Created:
    command = c.AddRecord(kind=kind, company_id=company_id, values=body.model_dump())
    return Created(id=await bus.handle(command, metadata=event_metadata(principal)))


async def _replace(bus: BusDep, principal, kind: str, company_id: str, row_id: str, body: BaseModel) -> None:
    command = c.ReplaceRecord(kind=kind, company_id=company_id, record_id=row_id, values=body.model_dump())
    await bus.handle(command, metadata=event_metadata(principal))


@router.post("/customers", status_code=status.HTTP_201_CREATED)
async def create_company(body: CompanyIn, bus: BusDep, principal: ArchiveEditor) -> Created:
    return Created(id=await bus.handle(c.AddCompany(name=body.name), metadata=event_metadata(principal)))


@router.post("/customers/{company_id}/contacts", status_code=status.HTTP_201_CREATED)
async def add_contact(company_id: str, body: ContactIn, bus: BusDep, principal: ArchiveEditor) -> Created:
    return await _add(bus, principal, "contacts", company_id, body)


@router.post("/customers/{company_id}/sites", status_code=status.HTTP_201_CREATED)
async def add_site(company_id: str, body: SiteIn, bus: BusDep, principal: ArchiveEditor) -> Created:
    return await _add(bus, principal, "sites", company_id, body)


@router.post("/customers/{company_id}/contracts", status_code=status.HTTP_201_CREATED)
async def add_contract(company_id: str, body: ContractIn, bus: BusDep, principal: ArchiveEditor) -> Created:
    return await _add(bus, principal, "contracts", company_id, body)


@router.post("/customers/{company_id}/units", status_code=status.HTTP_201_CREATED)
async def add_unit(company_id: str, body: UnitIn, bus: BusDep, principal: ArchiveEditor) -> Created:
    return await _add(bus, principal, "units", company_id, body)


@router.put("/customers/{company_id}", status_code=status.HTTP_204_NO_CONTENT)
async def rename_company(company_id: str, body: CompanyIn, bus: BusDep, principal: ArchiveEditor) -> None:
    command = c.RenameCompany(company_id=company_id, name=body.name)
    await bus.handle(command, metadata=event_metadata(principal))


@router.put("/customers/{company_id}/contacts/{row_id}", status_code=status.HTTP_204_NO_CONTENT)
async def replace_contact(
    company_id: str, row_id: str, body: ContactIn, bus: BusDep, principal: ArchiveEditor
) -> None:
    await _replace(bus, principal, "contacts", company_id, row_id, body)


@router.put("/customers/{company_id}/sites/{row_id}", status_code=status.HTTP_204_NO_CONTENT)
async def replace_site(
    company_id: str, row_id: str, body: SiteIn, bus: BusDep, principal: ArchiveEditor
) -> None:
    await _replace(bus, principal, "sites", company_id, row_id, body)


@router.put("/customers/{company_id}/contracts/{row_id}", status_code=status.HTTP_204_NO_CONTENT)
async def replace_contract(
    company_id: str, row_id: str, body: ContractIn, bus: BusDep, principal: ArchiveEditor
) -> None:
    await _replace(bus, principal, "contracts", company_id, row_id, body)


@router.put("/customers/{company_id}/units/{row_id}", status_code=status.HTTP_204_NO_CONTENT)
async def replace_unit(
    company_id: str, row_id: str, body: UnitIn, bus: BusDep, principal: ArchiveEditor
) -> None:
    await _replace(bus, principal, "units", company_id, row_id, body)


@router.delete(
    "/customers/{company_id}/{kind}/{row_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Remove a contact, site, contract or unit (refused while other records point at it)",
)
async def remove(company_id: str, kind: str, row_id: str, bus: BusDep, principal: ArchiveEditor) -> None:
    if kind not in c.ARCHIVE_KINDS:
        raise NotFound("collection", kind, field="kind")
    command = c.RemoveRecord(kind=kind, company_id=company_id, record_id=row_id)
    await bus.handle(command, metadata=event_metadata(principal))


def _instant(as_of: datetime | None) -> datetime | None:
    if as_of is not None and as_of.tzinfo is None:
        raise MalformedRequest("as_of needs a time zone", field="as_of")
    return as_of


@router.get("/customers/{company_id}", summary="A customer's whole record now, or as it was at `as_of`")
async def get_company(
    company_id: str, views: ArchiveViewsDep, _: ArchiveReader, as_of: datetime | None = None
) -> CompanyRecord:
    record = await views.company(company_id, as_of=_instant(as_of))
    if record is None:
        raise NotFound("customer", company_id, field="company_id")
    return CompanyRecord.model_validate(record)


@router.get("/units/{unit_id}", summary="A unit (its warranty, its contract) now, or as they were at `as_of`")
async def get_unit(
    unit_id: str, views: ArchiveViewsDep, _: ArchiveReader, as_of: datetime | None = None
) -> UnitRecord:
    unit = await views.unit(unit_id, as_of=_instant(as_of))
    if unit is None:
        raise NotFound("unit", unit_id, field="unit_id")
    return UnitRecord.model_validate(unit)


@router.get("/contracts/{contract_id}", summary="A contract now, or as it was at `as_of`")
async def get_contract(
    contract_id: str, views: ArchiveViewsDep, _: ArchiveReader, as_of: datetime | None = None
) -> ContractOut:
    contract = await views.contract(contract_id, as_of=_instant(as_of))
    if contract is None:
        raise NotFound("contract", contract_id, field="contract_id")
    return ContractOut.model_validate(contract)


async def _events(views: ArchiveViewsDep, stream_id: str, what: str, field: str) -> ArchiveHistory:
    events = await views.events(stream_id)
    if events is None:
        raise NotFound(what, stream_id, field=field)
    return ArchiveHistory.model_validate({"id": stream_id, "events": events})


@router.get(
    "/customers/{company_id}/events", summary="The customer's history (contacts, sites), oldest first"
)
async def customer_events(company_id: str, views: ArchiveViewsDep, _: ArchiveReader) -> ArchiveHistory:
    return await _events(views, company_id, "customer", "company_id")


@router.get("/units/{unit_id}/events", summary="The unit's history, oldest first")
async def unit_events(unit_id: str, views: ArchiveViewsDep, _: ArchiveReader) -> ArchiveHistory:
    return await _events(views, unit_id, "unit", "unit_id")


@router.get("/contracts/{contract_id}/events", summary="The contract's history, oldest first")
async def contract_events(contract_id: str, views: ArchiveViewsDep, _: ArchiveReader) -> ArchiveHistory:
    return await _events(views, contract_id, "contract", "contract_id")


@router.get(
    "/lookup",
    summary="Find a customer by company name (partial), phone or serial number",
    response_model_exclude_unset=True,
)
async def lookup(
    views: ArchiveViewsDep,
    _: ArchiveReader,
    company: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    phone: Annotated[str | None, Query(min_length=3, max_length=40)] = None,
    serial: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> Lookup:
    if not (company or phone or serial):
        raise MalformedRequest("Give company, phone or serial", field="company")
    return Lookup.model_validate({"matches": await views.lookup(company=company, phone=phone, serial=serial)})
