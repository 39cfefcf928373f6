"""Revision 0003 rewrites the contacts' phones stored before it to E.164 (a real PostgreSQL)."""

import asyncio
from pathlib import Path

import intake
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import alembic_config

MIGRATIONS = Path(intake.__file__).parent / "migrations"


async def _upgrade(database_url: str, revision: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(database_url, MIGRATIONS), revision)


async def test_stored_phones_become_e164_and_the_digits_column_goes(database_url):
    await _upgrade(database_url, "0002")
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("INSERT INTO companies (id, name) VALUES ('C-1', '明珠电梯')"))
            for contact_id, phone, digits in (
                ("P-1", "+86 138-0013-8000", "13800138000"),
                ("P-2", "138 0013 8000", "13800138000"),
                ("P-3", "(010) 6552 9988", "01065529988"),
                ("P-4", "8001", "8001"),  # an internal extension: not a phone number, kept as written
            ):
                await conn.execute(
                    text(
                        "INSERT INTO contacts (id, company_id, name, phone, phone_digits) "
                        "VALUES (:id, 'C-1', 'x', :phone, :digits)"
                    ),
                    {"id": contact_id, "phone": phone, "digits": digits},
                )
        await _upgrade(database_url, "head")
        async with engine.connect() as conn:
            phones = dict((await conn.execute(text("SELECT id, phone FROM contacts ORDER BY id"))).all())
            columns = (
                await conn.execute(
                    text("SELECT column_name FROM information_schema.columns WHERE table_name = 'contacts'")
                )
            ).scalars()
            column_names = set(columns)
    finally:
        await engine.dispose()
    assert phones == {"P-1": "+8613800138000", "P-2": "+8613800138000", "P-3": "+861065529988", "P-4": "8001"}
    assert "phone_digits" not in column_names
