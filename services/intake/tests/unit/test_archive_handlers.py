"""The archive's commands through the bus on the in-memory unit of work: streams written, the read
model projected, and a ticket's entitlement judged by the contract as it stood at the report."""

import asyncio
from datetime import UTC, date, datetime

import pytest
from intake.domain import commands as c
from intake.domain.errors import ArchiveError
from intake.domain.events import Channel, EntitlementAssessed, Severity

TERMS = {
    "policy_id": "seed-003",
    "calendar_id": "7x24",
    "on_site_regions": ["SH"],
    "remote_only_elsewhere": True,
    "three_guarantees_variant": "standard",
    "starts_on": date(2024, 1, 1),
    "paid_maintenance_until": None,
    "consent_required_before_work": False,
}


async def _archive(intake) -> dict[str, str]:
    intake.sla_references.published.add(("policy", "seed-003"))  # the SLA monitor announced it
    company = await intake.handle(c.AddCompany(name="Pearl"))
    contact = {"name": "Wang", "phone": "13800138000", "is_main": True}
    await intake.handle(c.AddRecord(kind="contacts", company_id=company, values=contact))
    site_values = {"address": "1 Pudong", "city": "Shanghai", "region": "SH"}
    site = await intake.handle(c.AddRecord(kind="sites", company_id=company, values=site_values))
    contract = await intake.handle(c.AddRecord(kind="contracts", company_id=company, values=TERMS))
    unit_values = {
        "site_id": site,
        "contract_id": contract,
        "model": "EL-1000",
        "serial_number": "SN-OLD",
        "product_line": "elevator",
        "quantity": 1,
        "accepted_on": date(2019, 1, 1),  # long out of warranty: the work is chargeable
        "warranty_months": 12,
    }
    unit = await intake.handle(c.AddRecord(kind="units", company_id=company, values=unit_values))
    return {"company": company, "site": site, "contract": contract, "unit": unit}


def _assessments(intake, ticket_id: str) -> list[EntitlementAssessed]:
    return [x for x in intake.streams.events(ticket_id) if isinstance(x, EntitlementAssessed)]


def _open(ids, **changes) -> c.OpenTicket:
    values = {
        "customer_id": ids["company"],
        "channel": Channel.PHONE,
        "severity": Severity.P3,
        "description": "door noise",
        "caller_name": "Wang",
        "caller_phone": "13800138000",
        "unit_id": ids["unit"],
    }
    return c.OpenTicket(**{**values, **changes})


async def test_archive_commands_write_streams_and_the_read_model(intake):
    ids = await _archive(intake)
    assert intake.types(ids["company"]) == ["CustomerRegistered", "ContactAdded", "SiteAdded"]
    assert intake.types(ids["unit"]) == ["UnitRegistered"]
    assert intake.types(ids["contract"]) == ["ContractSigned"]
    assert intake.archive.rows["units"][ids["unit"]]["serial_number"] == "SN-OLD"
    assert intake.archive.rows["contracts"][ids["contract"]]["on_site_regions"] == ("SH",)
    await intake.handle(
        c.ReplaceRecord(
            kind="contracts",
            company_id=ids["company"],
            record_id=ids["contract"],
            values={**TERMS, "three_guarantees_variant": "six_months_new_unit"},
        )
    )
    assert intake.types(ids["contract"]) == ["ContractSigned", "ContractChanged"]
    assert (
        intake.archive.rows["contracts"][ids["contract"]]["three_guarantees_variant"] == "six_months_new_unit"
    )
    with pytest.raises(ArchiveError) as referenced:
        await intake.handle(
            c.RemoveRecord(kind="contracts", company_id=ids["company"], record_id=ids["contract"])
        )
    assert referenced.value.status == 409
    assert intake.types(ids["contract"]) == ["ContractSigned", "ContractChanged"]


async def test_a_second_unit_with_a_registered_serial_number_is_refused(intake):
    ids = await _archive(intake)
    values = {**intake.archive.rows["units"][ids["unit"]]}
    values = {k: v for k, v in values.items() if k not in ("id", "company_id", "days_out_of_service")}
    with pytest.raises(ArchiveError) as taken:
        await intake.handle(c.AddRecord(kind="units", company_id=ids["company"], values=values))
    assert (taken.value.status, taken.value.field) == (409, "serial_number")


async def test_entitlement_is_judged_by_the_contract_as_it_stood_at_the_report(intake):
    ids = await _archive(intake)
    before = (await intake.handle(_open(ids)))["ticket_id"]
    await asyncio.sleep(0.01)
    between = datetime.now(UTC)
    await asyncio.sleep(0.01)
    changed = {**TERMS, "consent_required_before_work": True}
    command = c.ReplaceRecord(
        kind="contracts", company_id=ids["company"], record_id=ids["contract"], values=changed
    )
    await intake.handle(command)

    after = (await intake.handle(_open(ids)))["ticket_id"]
    reported_earlier = (await intake.handle(_open(ids, reported_at=between)))["ticket_id"]
    await intake.handle(c.ReassessEntitlement(ticket_id=before))

    assert [a.awaits_consent for a in _assessments(intake, before)] == [False, False]
    assert [a.awaits_consent for a in _assessments(intake, after)] == [True]
    assert [a.awaits_consent for a in _assessments(intake, reported_earlier)] == [False]
