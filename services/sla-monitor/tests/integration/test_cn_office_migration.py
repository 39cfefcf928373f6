"""Revision 0003 makes an already seeded `cn-office` follow the China public holidays."""

import asyncio
import json
from pathlib import Path

import sla_monitor
from alembic import command
from sla_monitor.adapters.documents import CalendarDoc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import alembic_config

MIGRATIONS = Path(sla_monitor.__file__).parent / "migrations"
OLD_CN_OFFICE = {
    "calendar_id": "cn-office",
    "timezone": "Asia/Shanghai",
    "hours": {str(d): [["09:00", "18:00"]] for d in range(5)},
    "holidays": [],
    "makeup_workdays": [],
    "makeup_weekday": 0,
}


async def _upgrade(database_url: str, revision: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(database_url, MIGRATIONS), revision)


async def test_seeded_cn_office_gains_the_public_holidays_others_are_untouched(database_url):
    await _upgrade(database_url, "0002")
    engine = create_async_engine(database_url)
    own = {**OLD_CN_OFFICE, "calendar_id": "my-office"}
    try:
        async with engine.begin() as conn:
            for doc in (OLD_CN_OFFICE, own):
                await conn.execute(
                    text("INSERT INTO calendars (calendar_id, document) VALUES (:id, CAST(:doc AS jsonb))"),
                    {"id": doc["calendar_id"], "doc": json.dumps(doc)},
                )
        await _upgrade(database_url, "head")
        async with engine.connect() as conn:
            rows = dict((await conn.execute(text("SELECT calendar_id, document FROM calendars"))).all())
    finally:
        await engine.dispose()
    assert rows["cn-office"]["public_holidays"] == "china"
    assert CalendarDoc.model_validate(rows["cn-office"]).to_domain().public_holidays == "china"
    assert "public_holidays" not in rows["my-office"]
