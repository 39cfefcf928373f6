"""Customer archive over HTTP, and the one-call lookup a hotline agent needs.

Changes are commands on the bus (the archive's rows are written in its unit of work); reads are
views. Contacts, sites, contracts and units share one shape of route, named by their collection.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel

from intake.domain import commands as c
from intake.domain.errors import MalformedRequest, NotFound
from intake.entrypoints.dependencies import (
    ArchiveEditor,
    ArchiveReader,
    ArchiveViewsDep,
    BusDep,
    no_nul_parameters,
)
from intake.entrypoints.schemas import (
    CompanyIn,
    CompanyRecord,
    ContactIn,
    ContractIn,
    Created,
    Lookup,
    SiteIn,
    UnitIn,
)
from shared.http.context import event_metadata

router = APIRouter(tags=["customer archive"], dependencies=[Depends(no_nul_parameters)])


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


@router.get("/customers/{company_id}")
async def get_company(company_id: str, views: ArchiveViewsDep, _: ArchiveReader) -> CompanyRecord:
    record = await views.company(company_id)
    if record is None:
        raise NotFound("customer", company_id, field="company_id")
    return CompanyRecord.model_validate(record)


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
