"""Group commit on the real PostgreSQL: shared transactions, isolated failures, nothing acknowledged early."""

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from shared.group_commit import GroupCommit


class Refused(Exception):
    pass


@pytest.fixture
async def engine(database_url):
    engine = create_async_engine(database_url)
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE items (name text PRIMARY KEY, n int NOT NULL)"))
    yield engine
    await engine.dispose()


async def names(engine) -> set[str]:
    async with engine.connect() as conn:
        return {row.name for row in await conn.execute(text("SELECT name FROM items"))}


def committer(engine, groups: list[list[str]], **options) -> GroupCommit:
    """Inserts each item (a name) with one multi-row statement; 'refuse-*' names are refused."""

    async def flush(conn, items):
        groups.append(list(items))
        accepted = [name for name in items if not name.startswith("refuse")]
        await conn.execute(
            text("INSERT INTO items SELECT unnest(CAST(:names AS text[])), 1"), {"names": accepted}
        )
        await asyncio.sleep(0.01)  # a commit takes time: later submissions pile up meanwhile
        return [Refused(name) if name.startswith("refuse") else name.upper() for name in items]

    return GroupCommit("test", lambda: engine, flush, **options)


async def test_concurrent_items_share_transactions_and_each_gets_its_own_outcome(engine):
    groups: list[list[str]] = []
    commit = committer(engine, groups)
    outcomes = await asyncio.gather(*(commit.submit(f"item-{i}") for i in range(60)))
    assert outcomes == [f"ITEM-{i}" for i in range(60)]
    assert await names(engine) == {f"item-{i}" for i in range(60)}
    assert len(groups) < 60 and max(len(g) for g in groups) > 1


async def test_a_refused_item_fails_alone(engine):
    commit = committer(engine, [])
    outcomes = await asyncio.gather(
        commit.submit("a"), commit.submit("refuse-b"), commit.submit("c"), return_exceptions=True
    )
    assert outcomes[0] == "A" and outcomes[2] == "C"
    assert isinstance(outcomes[1], Refused)
    assert await names(engine) == {"a", "c"}


async def test_a_poison_item_rolls_its_group_back_and_only_it_fails(engine):
    async with engine.begin() as conn:
        await conn.execute(text("INSERT INTO items VALUES ('taken', 0)"))
    groups: list[list[str]] = []
    commit = committer(engine, groups)
    outcomes = await asyncio.gather(
        *(commit.submit(name) for name in ["x", "y", "taken", "z"]), return_exceptions=True
    )
    assert outcomes[:2] == ["X", "Y"] and outcomes[3] == "Z"
    assert isinstance(outcomes[2], IntegrityError)
    assert await names(engine) == {"taken", "x", "y", "z"}
    assert any(len(g) == 1 and g[0] == "taken" for g in groups)  # re-run alone


async def test_items_with_the_same_conflict_key_never_share_a_group(engine):
    groups: list[list[str]] = []
    commit = committer(engine, groups, conflict_key=lambda name: name.split("#")[0])
    await asyncio.gather(*(commit.submit(f"k{i % 3}#{i}") for i in range(12)))
    for group in groups:
        keys = [name.split("#")[0] for name in group]
        assert len(keys) == len(set(keys)), group
    assert len(await names(engine)) == 12


async def test_submit_returns_only_once_the_item_is_committed(engine):
    commit = committer(engine, [])
    await commit.submit("durable")
    other = create_async_engine(engine.url)
    try:
        async with other.connect() as conn:
            assert (await conn.execute(text("SELECT n FROM items WHERE name = 'durable'"))).scalar() == 1
    finally:
        await other.dispose()


async def test_a_one_statement_flush_commits_without_a_transaction_and_leaves_the_pool_transactional(engine):
    async def flush(conn, items):
        await conn.execute(
            text("INSERT INTO items SELECT unnest(CAST(:names AS text[])), 1"), {"names": items}
        )
        return list(items)

    commit = GroupCommit("one", lambda: engine, flush, one_statement=True)
    outcomes = await asyncio.gather(
        *(commit.submit(f"s-{i}") for i in range(20)), commit.submit("s-0"), return_exceptions=True
    )
    assert outcomes[:20] == [f"s-{i}" for i in range(20)]
    assert isinstance(outcomes[20], IntegrityError)  # the duplicate failed alone
    assert await names(engine) == {f"s-{i}" for i in range(20)}
    async with engine.connect() as conn:  # pooled connections are back in transactional mode
        await conn.execute(text("INSERT INTO items VALUES ('rolled-back', 1)"))
        await conn.rollback()
    assert "rolled-back" not in await names(engine)
