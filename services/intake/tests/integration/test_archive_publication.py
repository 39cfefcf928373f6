"""Revision 0009 publishes the archive events 0008 stored: the installed base and the contacts that
existed before the archive became events reach other services on intake's topic, keyed by stream."""

import asyncio
from pathlib import Path

import intake
from alembic import command
from intake.config import Settings
from intake.entrypoints.app import create_app
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import alembic_config
from shared.testing.services import running_service, service_settings
from shared.testing.waiting import envelopes, read_topic

MIGRATIONS = Path(intake.__file__).parent / "migrations"
ROWS = (
    "INSERT INTO companies (id, name) VALUES ('C-1', '明珠电梯')",
    "INSERT INTO contacts (id, company_id, name, phone, is_main)"
    " VALUES ('P-1', 'C-1', '王', '+8613800138000', true)",
    "INSERT INTO sites (id, company_id, address, city, region)"
    " VALUES ('S-1', 'C-1', '浦东大道 1 号', 'Shanghai', 'SH')",
    "INSERT INTO contracts (id, company_id, policy_id, calendar_id, on_site_regions, remote_only_elsewhere,"
    " three_guarantees_variant, starts_on)"
    " VALUES ('K-1', 'C-1', 'default', '7x24', ARRAY['SH'], true, 'standard', '2024-01-01')",
    "INSERT INTO units (id, company_id, site_id, contract_id, model, serial_number, product_line, quantity,"
    " accepted_on, warranty_months)"
    " VALUES ('U-1', 'C-1', 'S-1', 'K-1', 'EL-3000', 'SN-1', 'elevator', 1, '2025-06-01', 24)",
)
EXPECTED = [
    ("C-1", "CustomerRegistered"),
    ("C-1", "ContactAdded"),
    ("C-1", "SiteAdded"),
    ("K-1", "ContractSigned"),
    ("U-1", "UnitRegistered"),
]


async def _migrate(
    database_url: str, revision: str, *, down: bool = False, prefix: str | None = None
) -> None:
    config = alembic_config(database_url, MIGRATIONS, topic_prefix=prefix)
    await asyncio.to_thread(command.downgrade if down else command.upgrade, config, revision)


async def _scalars(engine, sql: str) -> list:
    async with engine.connect() as conn:
        return list((await conn.execute(text(sql))).scalars())


async def test_migrated_archive_events_are_published_on_intakes_topic_once(
    database_url, bootstrap_servers, topic_prefix, dev_key_file
):
    await _migrate(database_url, "0007")
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            for statement in ROWS:
                await conn.execute(text(statement))
        settings = service_settings(
            Settings,
            database_url=database_url,
            bootstrap_servers=bootstrap_servers,
            topic_prefix=topic_prefix,
            key_file=dev_key_file,
        )
        # The service upgrades its database to head at start-up, then its relay publishes the outbox.
        async with running_service(create_app, settings):
            records = await read_topic(bootstrap_servers, f"{topic_prefix}servicepact.tickets.v1", 5)
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT event_id, stream_id, event_type, data FROM events"))
            stored = {row[0]: tuple(row[1:]) for row in rows}
        published_before = await _scalars(
            engine, "SELECT count(*) FROM outbox WHERE published_at IS NOT NULL"
        )
        # idempotent: run again (down to 0008 keeps published rows), nothing is queued twice
        await _migrate(database_url, "0008", down=True)
        await _migrate(database_url, "head", prefix=topic_prefix)
        queued_again = await _scalars(engine, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
    finally:
        await engine.dispose()

    received = envelopes(records)
    by_key = sorted(
        ((r.key.decode(), e.type) for r, e in zip(records, received, strict=True)), key=lambda p: p[0]
    )
    assert by_key == sorted(EXPECTED, key=lambda p: p[0])  # each exactly once, keyed by its stream
    customer_order = [e.type for r, e in zip(records, received, strict=True) if r.key == b"C-1"]
    assert customer_order == ["CustomerRegistered", "ContactAdded", "SiteAdded"]  # stream order
    for record, envelope in zip(records, received, strict=True):
        stream_id, event_type, data = stored[envelope.id]
        assert (envelope.subject, envelope.type) == (stream_id, event_type)
        assert envelope.source == "/servicepact/intake"
        assert envelope.data == data and envelope.actor == "migration:0006"
        assert record.topic == f"{topic_prefix}servicepact.tickets.v1"
    unit = next(e for e in received if e.type == "UnitRegistered")
    assert (unit.data["serial_number"], unit.data["customer_id"]) == ("SN-1", "C-1")
    assert published_before == [5] and queued_again == [0]
