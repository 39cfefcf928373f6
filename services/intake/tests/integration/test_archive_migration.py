"""Revision 0008 turns the archive rows stored before it into streams the aggregates replay."""

import asyncio
from datetime import date
from pathlib import Path

import intake
from alembic import command
from intake.bootstrap import build_registry
from intake.domain.archive import Contract, Customer, Unit
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.eventstore import EventStore
from shared.migrations import alembic_config

MIGRATIONS = Path(intake.__file__).parent / "migrations"
ROWS = (
    "INSERT INTO companies (id, name) VALUES ('C-1', '明珠电梯')",
    "INSERT INTO contacts (id, company_id, name, phone, is_main)"
    " VALUES ('P-1', 'C-1', '王', '+8613800138000', true)",
    "INSERT INTO sites (id, company_id, address, city, region)"
    " VALUES ('S-1', 'C-1', '浦东大道 1 号', 'Shanghai', 'SH')",
    "INSERT INTO contracts (id, company_id, policy_id, calendar_id, on_site_regions, remote_only_elsewhere,"
    " three_guarantees_variant, starts_on, consent_required_before_work)"
    " VALUES ('K-1', 'C-1', 'seed-003', '7x24', ARRAY['SH'], true, 'strict_monthly', '2024-01-01', true)",
    "INSERT INTO units (id, company_id, site_id, contract_id, model, serial_number, product_line, quantity,"
    " accepted_on, warranty_months, on_site_service_months, days_out_of_service)"
    " VALUES ('U-1', 'C-1', 'S-1', 'K-1', 'EL-3000', 'SN-1', 'elevator', 1, '2025-06-01', 180, 60, 4)",
)


async def _upgrade(database_url: str, revision: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(database_url, MIGRATIONS), revision)


async def test_stored_archive_rows_become_streams_the_aggregates_replay(database_url):
    await _upgrade(database_url, "0007")
    engine = create_async_engine(database_url)
    store = EventStore(build_registry(), source="intake", route=lambda event_type: None)
    try:
        async with engine.begin() as conn:
            for statement in ROWS:
                await conn.execute(text(statement))
        await _upgrade(database_url, "head")
        async with engine.connect() as conn:
            customer = Customer.replay(await store.load_events(conn, "C-1"))
            unit = Unit.replay(await store.load_events(conn, "U-1"))
            contract = Contract.replay(await store.load_events(conn, "K-1"))
            types = (
                await conn.execute(text("SELECT event_type FROM events ORDER BY stream_id, version"))
            ).scalars()
            event_types = list(types)
            days = (await conn.execute(text("SELECT days_out_of_service FROM units"))).scalar_one()
    finally:
        await engine.dispose()
    assert event_types == [
        "CustomerRegistered",
        "ContactAdded",
        "SiteAdded",
        "ContractSigned",
        "UnitRegistered",
    ]
    assert (customer.name, customer.version) == ("明珠电梯", 3)
    assert customer.contacts["P-1"]["phone"] == "+8613800138000" and customer.contacts["P-1"]["is_main"]
    assert customer.sites["S-1"]["region"] == "SH"
    assert unit.state["serial_number"] == "SN-1" and unit.state["accepted_on"] == date(2025, 6, 1)
    assert unit.state["on_site_service_months"] == 60 and unit.customer_id == "C-1"
    assert contract.state["on_site_regions"] == ("SH",)
    assert contract.state["consent_required_before_work"] is True
    assert contract.state["three_guarantees_variant"] == "strict_monthly"
    assert days == 4  # the rows themselves are untouched: they are the projection now
