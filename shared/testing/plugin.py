"""pytest fixtures: one real broker + PostgreSQL per session, a fresh database and topics per test."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.eventstore.tables import backbone_metadata
from shared.testing.infra import Infra, infra_from_environment
from shared.testing.services import Tokens


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    with infra_from_environment() as endpoints:
        yield endpoints


async def _create_database(infra: Infra) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_plain(infra.admin_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name


async def _drop_database(infra: Infra, name: str) -> None:
    admin = await asyncpg.connect(_plain(infra.admin_url))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def database_url(infra: Infra) -> AsyncIterator[str]:
    """A brand-new, empty database for this test (dropped afterwards)."""
    name = await _create_database(infra)
    yield infra.database_url(name)
    await _drop_database(infra, name)


@pytest.fixture
async def new_database(infra: Infra) -> AsyncIterator[Callable[[], Awaitable[str]]]:
    """Call it for as many fresh databases as a test needs (one per service); all dropped afterwards."""
    names: list[str] = []

    async def create() -> str:
        names.append(await _create_database(infra))
        return infra.database_url(names[-1])

    yield create
    for name in names:
        await _drop_database(infra, name)


@pytest.fixture
async def backbone_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a fresh database that has the backbone tables."""
    engine = create_async_engine(database_url, pool_size=10)
    async with engine.begin() as conn:
        await conn.run_sync(backbone_metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
def topic_prefix() -> str:
    """Unique topic names per test: tests never see each other's messages."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def bootstrap_servers(infra: Infra) -> str:
    return infra.bootstrap_servers


@pytest.fixture
def dev_key_file(tmp_path: Path) -> Path:
    """The development signing key a service under test trusts (AUTH_DEV_KEY_FILE)."""
    return tmp_path / "dev.pem"


@pytest.fixture
def tokens(dev_key_file: Path) -> Tokens:
    """Mints tokens for any role, signed with `dev_key_file`: `tokens("dispatcher", sub="dora")`."""
    return Tokens(dev_key_file)
