"""Alembic per service: each service's `migrations/env.py` calls `run_env`; start-up calls `upgrade`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

_LOCK_KEY = 7_204_511  # serialises replicas that start at the same moment


def alembic_config(database_url: str, script_location: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(database_url: str, script_location: Path) -> None:
    """Bring the database to the latest revision (in a thread: alembic's env runs its own loop)."""
    await asyncio.to_thread(command.upgrade, alembic_config(database_url, script_location), "head")


def _run_sync(connection: Connection, target_metadata: MetaData | Sequence[MetaData]) -> None:
    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _LOCK_KEY})
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _LOCK_KEY})
    connection.commit()


def run_env(target_metadata: MetaData | Sequence[MetaData]) -> None:
    """Body of every service's `migrations/env.py` (online mode, asyncpg)."""
    url = context.config.get_main_option("sqlalchemy.url")

    async def _migrate() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync, target_metadata)
        await engine.dispose()

    asyncio.run(_migrate())
