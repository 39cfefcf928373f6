"""Customer archive over HTTP, and the one-call lookup a hotline agent needs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status

from intake.adapters.tables import contacts, contracts, sites, units
from intake.entrypoints.archive_schemas import CompanyIn, ContactIn, ContractIn, Created, SiteIn, UnitIn
from intake.service_layer import archive
from intake.service_layer.warranty import warranty_status
from shared.auth import Allow, Principal, Role
from shared.http.problems import Problem

router = APIRouter(tags=["customer archive"])
Editor = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN, Role.DISPATCHER))]
Reader = Annotated[
    Principal, Depends(Allow(Role.INTEGRATION, Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN))
]


def _engine(request: Request):
    return request.app.state.runtime.engine


async def _add(request: Request, table, kind: str, company_id: str, body) -> Created:
    return Created(id=await archive.add_row(_engine(request), table, kind, company_id, body.model_dump()))


@router.post("/customers", status_code=status.HTTP_201_CREATED)
async def create_company(body: CompanyIn, request: Request, _: Editor) -> Created:
    return Created(id=await archive.add_company(_engine(request), body.name))


@router.post("/customers/{company_id}/contacts", status_code=status.HTTP_201_CREATED)
async def add_contact(company_id: str, body: ContactIn, request: Request, _: Editor) -> Created:
    return await _add(request, contacts, "P", company_id, body)


@router.post("/customers/{company_id}/sites", status_code=status.HTTP_201_CREATED)
async def add_site(company_id: str, body: SiteIn, request: Request, _: Editor) -> Created:
    return await _add(request, sites, "S", company_id, body)


@router.post("/customers/{company_id}/contracts", status_code=status.HTTP_201_CREATED)
async def add_contract(company_id: str, body: ContractIn, request: Request, _: Editor) -> Created:
    return await _add(request, contracts, "K", company_id, body)


@router.post("/customers/{company_id}/units", status_code=status.HTTP_201_CREATED)
async def add_unit(company_id: str, body: UnitIn, request: Request, _: Editor) -> Created:
    return await _add(request, units, "U", company_id, body)


COLLECTIONS = {"contacts": contacts, "sites": sites, "contracts": contracts, "units": units}


@router.put("/customers/{company_id}", status_code=status.HTTP_204_NO_CONTENT)
async def rename_company(company_id: str, body: CompanyIn, request: Request, _: Editor) -> Response:
    await archive.rename_company(_engine(request), company_id, body.name)
    return Response(status_code=204)


@router.put("/customers/{company_id}/contacts/{row_id}", status_code=204)
async def replace_contact(
    company_id: str, row_id: str, body: ContactIn, request: Request, _: Editor
) -> Response:
    await archive.replace_row(_engine(request), contacts, company_id, row_id, body.model_dump())
    return Response(status_code=204)


@router.put("/customers/{company_id}/sites/{row_id}", status_code=204)
async def replace_site(company_id: str, row_id: str, body: SiteIn, request: Request, _: Editor) -> Response:
    await archive.replace_row(_engine(request), sites, company_id, row_id, body.model_dump())
    return Response(status_code=204)


@router.put("/customers/{company_id}/contracts/{row_id}", status_code=204)
async def replace_contract(
    company_id: str, row_id: str, body: ContractIn, request: Request, _: Editor
) -> Response:
    await archive.replace_row(_engine(request), contracts, company_id, row_id, body.model_dump())
    return Response(status_code=204)


@router.put("/customers/{company_id}/units/{row_id}", status_code=204)
async def replace_unit(company_id: str, row_id: str, body: UnitIn, request: Request, _: Editor) -> Response:
    await archive.replace_row(_engine(request), units, company_id, row_id, body.model_dump())
    return Response(status_code=204)


@router.delete(
    "/customers/{company_id}/{kind}/{row_id}",
    status_code=204,
    summary="Remove a contact, site, contract or unit (refused while other records point at it)",
)
async def remove(company_id: str, kind: str, row_id: str, request: Request, _: Editor) -> Response:
    if kind not in COLLECTIONS:
        raise Problem(404, "No such collection", type_="/problems/not-found", field="kind")
    await archive.remove_row(_engine(request), COLLECTIONS[kind], company_id, row_id)
    return Response(status_code=204)


@router.get("/customers/{company_id}")
async def get_company(company_id: str, request: Request, _: Reader) -> dict[str, Any]:
    record = await archive.company_record(_engine(request), company_id)
    if record is None:
        raise Problem(404, "No such customer", type_="/problems/not-found", field="company_id")
    return _with_warranty(record)


@router.get("/lookup", summary="Find a customer by company name (partial), phone or serial number")
async def lookup(
    request: Request,
    _: Reader,
    company: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    phone: Annotated[str | None, Query(min_length=3, max_length=40)] = None,
    serial: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
) -> dict[str, Any]:
    if not (company or phone or serial):
        raise Problem(422, "Give company, phone or serial", type_="/problems/validation", field="company")
    found = await archive.find(_engine(request), company=company, phone=phone, serial=serial)
    return {"matches": [_with_warranty(record, serial) for record in found]}


def _with_warranty(record: dict[str, Any], serial: str | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)  # each unit's status dates it locally (warranty_status)
    for unit in record["units"]:
        unit["warranty"] = warranty_status(unit, now)
    if serial:
        record["matched_unit"] = next((u for u in record["units"] if u["serial_number"] == serial), None)
    return record
