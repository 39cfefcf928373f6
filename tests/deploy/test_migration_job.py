"""The migration Job's command, `python -m shared.migrations <service>`, brings a real, empty database
to the service's latest revision with the service's own settings (`<PREFIX>DATABASE_URL`), and a
second run (the Job retried, or run for a release without new revisions) changes nothing."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations import alembic_config
from shared.services import BY_NAME

ROOT = Path(__file__).resolve().parents[2]
SERVICE = BY_NAME["sla-monitor"]  # the folder and package names differ: the harder case


async def migrate(database_url: str) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}{os.pathsep}{SERVICE.directory}",
        f"{SERVICE.env_prefix}DATABASE_URL": database_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.migrations",
        SERVICE.name,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, output.decode()


async def revision(database_url: str) -> list[str]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars())
    finally:
        await engine.dispose()


async def test_the_job_migrates_to_head_and_is_repeatable(database_url: str) -> None:
    script = ScriptDirectory.from_config(alembic_config(database_url, SERVICE.migrations))
    head = script.get_current_head()
    assert head is not None

    await migrate(database_url)
    assert await revision(database_url) == [head]

    await migrate(database_url)
    assert await revision(database_url) == [head]
