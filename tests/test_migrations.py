"""Each service's alembic revisions build exactly the schema its code declares.

Revisions are frozen snapshots: a table or column added to `adapters/tables.py` without a new revision
would exist in a fresh test database (if revisions read the live metadata) but never in a deployed one.
This compares the database that `upgrade head` builds with the declared metadata, as
`alembic check` would.
"""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from shared import migrations
from shared.eventstore.tables import backbone_metadata
from shared.services import BY_NAME

# Built with raw SQL in a revision because SQLAlchemy cannot declare it (a trigram GIN expression index).
NOT_DECLARABLE = {"companies_name_trgm"}


def declared(package: str) -> list:
    try:
        tables = importlib.import_module(f"{package}.adapters.tables")
    except ModuleNotFoundError:
        return [backbone_metadata]
    return [backbone_metadata, tables.metadata]


@pytest.mark.parametrize("service", BY_NAME)
async def test_revisions_build_the_declared_schema(service, database_url):
    package = BY_NAME[service].package
    await migrations.upgrade(database_url, BY_NAME[service].migrations)
    target = declared(package)
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:

            def differences(sync_conn):
                context = MigrationContext.configure(
                    sync_conn,
                    opts={"include_name": lambda name, kind, parent: name not in NOT_DECLARABLE},
                )
                return compare_metadata(context, target)

            diff = await conn.run_sync(differences)
    finally:
        await engine.dispose()
    assert diff == [], f"{service}: schema differs from its declared tables: {diff}"
