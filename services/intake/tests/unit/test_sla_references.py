"""Issue 12 through the bus on the in-memory unit of work: policies and calendars the SLA monitor has not
published are refused at contract save and at ticket opening (never replaced by the default); the
site's region class in the ticket's context; the complaint's policy."""

from datetime import UTC, date, datetime

import pytest
from intake.domain import commands as c
from intake.domain.errors import InvalidCommand
from intake.domain.events import Channel, Severity

AT = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def _contract(company_id: str = "C-1", **values):
    body = {
        "policy_id": "default",
        "calendar_id": "7x24",
        "on_site_regions": ["SH"],
        "remote_only_elsewhere": True,
        "three_guarantees_variant": "standard",
        "paid_maintenance_until": None,
        "starts_on": date(2024, 1, 1),
    }
    return c.AddRecord(kind="contracts", company_id=company_id, values={**body, **values})


async def _company(intake) -> str:
    """A customer registered through its command (the archive is event-sourced)."""
    intake.sla_references.published.add(("policy", "seed-003"))
    return await intake.handle(c.AddCompany(name="Pearl"))


def _published(kind: str, reference_id: str) -> c.RecordSlaReference:
    return c.RecordSlaReference(kind=kind, reference_id=reference_id, published_at=AT)


def _opening(**changes) -> c.OpenTicket:
    command = {
        "customer_id": "C-1",
        "channel": Channel.PHONE,
        "severity": Severity.P1,
        "description": "passengers trapped",
        "caller_name": "Wang",
        "caller_phone": "13800138000",
    }
    return c.OpenTicket(**{**command, **changes})


@pytest.mark.parametrize(
    ("values", "field"),
    [({"policy_id": "gold"}, "policy_id"), ({"calendar_id": "mon-fri"}, "calendar_id")],
)
async def test_a_contract_naming_an_unpublished_policy_or_calendar_is_refused(intake, values, field):
    company = await _company(intake)
    before = dict(intake.archive.rows["contracts"])
    with pytest.raises(InvalidCommand) as refused:
        await intake.handle(_contract(company, **values))
    assert refused.value.field == field
    assert "not published" in str(refused.value.message)
    assert intake.archive.rows["contracts"] == before  # nothing saved, nothing defaulted


async def test_once_published_the_same_contract_is_accepted(intake):
    company = await _company(intake)
    await intake.handle(_published("policy", "gold"))
    await intake.handle(_published("policy", "gold"))  # redelivered / re-seeded: nothing new
    with pytest.raises(InvalidCommand) as calendar:
        await intake.handle(_contract(company, policy_id="gold", calendar_id="mon-fri"))
    assert calendar.value.field == "calendar_id"
    await intake.handle(_published("calendar", "mon-fri"))
    contract_id = await intake.handle(_contract(company, policy_id="gold", calendar_id="mon-fri"))
    saved = intake.archive.rows["contracts"][contract_id]
    assert (saved["policy_id"], saved["calendar_id"]) == ("gold", "mon-fri")
    assert intake.sla_references.published == {
        ("policy", "seed-003"),
        ("policy", "gold"),
        ("calendar", "mon-fri"),
    }


async def test_a_contract_naming_no_policy_gets_the_default_on_a_fresh_system(intake):
    """The default policy and 7x24 always exist at the SLA monitor: no publication needed."""
    company = await _company(intake)
    intake.sla_references.published.clear()
    contract_id = await intake.handle(_contract(company))
    assert intake.archive.rows["contracts"][contract_id]["policy_id"] == "default"


async def test_replacing_a_contract_checks_its_policy_too(intake):
    company = await _company(intake)
    contract_id = await intake.handle(_contract(company, policy_id="seed-003"))
    replace = c.ReplaceRecord(
        kind="contracts",
        company_id=company,
        record_id=contract_id,
        values={**_contract(company).values, "policy_id": "gone"},
    )
    with pytest.raises(InvalidCommand) as refused:
        await intake.handle(replace)
    assert refused.value.field == "policy_id"
    assert intake.archive.rows["contracts"][contract_id]["policy_id"] == "seed-003"


async def test_an_opening_under_a_contract_whose_policy_is_unknown_is_refused(intake):
    """A contract saved before the check (or its policy's publication lost): the ticket is refused,
    naming the field, rather than measured with the default."""
    intake.customer()
    intake.sla_references.published.clear()
    with pytest.raises(InvalidCommand) as refused:
        await intake.handle(_opening(contract_id="K-1"))
    assert refused.value.field == "policy_id"
    assert "K-1" in str(refused.value.message)
    assert intake.streams.appended == []
    await intake.handle(_published("policy", "seed-003"))
    opened = await intake.handle(_opening(contract_id="K-1"))
    assert opened["policy_id"] == "seed-003"


async def test_an_opening_without_a_contract_gets_the_default_policy_unasked(intake):
    intake.customer()
    intake.sla_references.published.clear()
    opened = await intake.handle(_opening())
    assert (opened["contract_id"], opened["policy_id"], opened["calendar_id"]) == (None, "default", "7x24")


async def test_the_site_region_class_travels_in_the_ticket_context(intake):
    intake.customer()
    intake.archive.rows["sites"]["S-1"]["region_class"] = "city"
    city = await intake.handle(_opening(unit_id="U-1"))
    assert intake.streams.events(city["ticket_id"])[0].context.region_class == "city"
    assert city["region_class"] == "city"
    del intake.archive.rows["sites"]["S-1"]["region_class"]  # a site that does not say
    unsaid = await intake.handle(_opening(unit_id="U-1"))
    assert intake.streams.events(unsaid["ticket_id"])[0].context.region_class is None


async def test_complaints_name_the_customers_contract_policy(intake):
    intake.customer()
    intake.archive.rows["contracts"]["K-1"]["starts_on"] = date(2024, 1, 1)
    standalone = await intake.handle(c.FileComplaint(customer_id="C-1", text="rude engineer"))
    assert intake.streams.events(standalone["complaint_id"])[0].policy_id == "seed-003"
    ticket_id = (await intake.handle(_opening(unit_id="U-1")))["ticket_id"]
    about = await intake.handle(c.FileComplaint(customer_id="C-1", text="slow", ticket_id=ticket_id))
    assert intake.streams.events(about["complaint_id"])[0].policy_id == "seed-003"
    no_contract = await intake.handle(c.FileComplaint(customer_id="C-2", text="billing"))
    assert intake.streams.events(no_contract["complaint_id"])[0].policy_id == "default"
