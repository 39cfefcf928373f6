"""Alembic per service: each service's `migrations/env.py` calls `run_env`; start-up calls `upgrade`.

`python -m shared.migrations <package>` (e.g. `intake`, `sla_monitor`) runs one service's migrations
on their own, with the service's own settings (`<PREFIX>DATABASE_URL`): the deploy's migration job, for
replicas started with `<PREFIX>RUN_MIGRATIONS=false`. The service's folder must be on `sys.path`.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Sequence
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

_LOCK_KEY = 7_204_511  # serialises replicas that start at the same moment


TOPIC_PREFIX_OPTION = "kafka_topic_prefix"
"""The deployment's topic prefix, for a revision that enqueues outbox rows (their topic names)."""


def alembic_config(database_url: str, script_location: Path, *, topic_prefix: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if topic_prefix is not None:
        config.set_main_option(TOPIC_PREFIX_OPTION, topic_prefix.replace("%", "%%"))
    return config


async def upgrade(database_url: str, script_location: Path, *, topic_prefix: str | None = None) -> None:
    """Bring the database to the latest revision (in a thread: alembic's env runs its own loop)."""
    config = alembic_config(database_url, script_location, topic_prefix=topic_prefix)
    await asyncio.to_thread(command.upgrade, config, "head")


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
    if url is None:
        raise RuntimeError("alembic config has no sqlalchemy.url (use shared.migrations.alembic_config)")

    async def _migrate() -> None:
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync, target_metadata)
        await engine.dispose()

    asyncio.run(_migrate())


def migrate_service(package: str) -> None:
    """Upgrade the database of the service whose package is `package` to its latest revision."""
    config = importlib.import_module(f"{package}.config")
    settings = config.Settings()
    script_location = Path(importlib.import_module(package).__path__[0]) / "migrations"
    asyncio.run(upgrade(settings.database_url, script_location, topic_prefix=settings.kafka_topic_prefix))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m shared.migrations <service package, e.g. intake or sla_monitor>")
    migrate_service(sys.argv[1].replace("-", "_"))
