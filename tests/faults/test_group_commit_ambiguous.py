"""Issue 11 item 8: a group whose COMMIT lost its answer must not be re-run item by item.

The injected fault: the real PostgreSQL commits the group, and the proxy drops the reply (the
connection is lost after COMMIT). Re-running each item alone would apply every command twice while
every caller hears "success"; each caller must hear "outcome unknown" instead, and nothing doubles.
"""

import asyncio
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.errors import CommitOutcomeUnknown
from shared.group_commit import GroupCommit
from shared.http.problems import install_problem_handlers
from tests.faults.cutting_proxy import CuttingProxy, command_complete


@pytest.fixture
async def proxied(database_url):
    """(engine through the proxy, direct engine, proxy) on a database with a `tickets` table."""
    direct = create_async_engine(database_url)
    async with direct.begin() as conn:
        await conn.execute(text("CREATE TABLE tickets (id bigserial PRIMARY KEY, name text NOT NULL)"))
    parts = urlsplit(database_url)
    proxy = await CuttingProxy(parts.hostname, parts.port).start()
    via_proxy = create_async_engine(
        urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    )
    yield via_proxy, direct, proxy
    await via_proxy.dispose()
    await proxy.stop()
    await direct.dispose()


def opener(groups: list[int]):
    async def flush(conn, names):
        groups.append(len(names))
        await conn.execute(
            text("INSERT INTO tickets (name) SELECT unnest(CAST(:names AS text[]))"), {"names": list(names)}
        )
        await asyncio.sleep(0.01)
        return [f"opened {name}" for name in names]

    return flush


async def stored(engine) -> list[str]:
    async with engine.connect() as conn:
        return sorted((await conn.execute(text("SELECT name FROM tickets"))).scalars())


@pytest.mark.parametrize(("one_statement", "reply"), [(False, "COMMIT"), (True, "INSERT 0 8")])
async def test_a_group_whose_commit_lost_its_answer_is_not_re_run(proxied, one_statement, reply):
    via_proxy, direct, proxy = proxied
    groups: list[int] = []
    commit = GroupCommit(
        "open-ticket", lambda: via_proxy, opener(groups), max_in_flight=1, one_statement=one_statement
    )
    assert await commit.submit("warm-up") == "opened warm-up"  # the pool holds a connection
    proxy.cut_at(command_complete(reply))
    names = [f"T-{i}" for i in range(8)]
    outcomes = await asyncio.gather(*(commit.submit(n) for n in names), return_exceptions=True)
    assert proxy.cuts == 1 and groups[1] == 8  # the eight shared the group whose answer was lost
    # The database did commit the group once; nothing ran twice.
    assert await stored(direct) == sorted(["warm-up", *names])
    assert all(isinstance(o, CommitOutcomeUnknown) for o in outcomes), outcomes
    # The service goes on: the next command commits normally.
    assert await commit.submit("after") == "opened after"


async def test_an_error_before_commit_still_re_runs_each_item_alone(proxied):
    """Losing the connection before COMMIT was sent rolls the group back: re-running alone is safe."""
    via_proxy, direct, proxy = proxied
    groups: list[int] = []
    commit = GroupCommit("open-ticket", lambda: via_proxy, opener(groups), max_in_flight=1)
    await commit.submit("warm-up")
    proxy.cut_at(command_complete("INSERT 0 4"))  # the group's INSERT, inside its transaction
    names = [f"T-{i}" for i in range(4)]
    outcomes = await asyncio.gather(*(commit.submit(n) for n in names))
    assert outcomes == [f"opened {n}" for n in names]
    assert groups[1:] == [4, 1, 1, 1, 1]
    assert await stored(direct) == sorted(["warm-up", *names])


async def test_outcome_unknown_is_answered_as_a_503_problem():
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/tickets")
    async def open_ticket():
        raise CommitOutcomeUnknown("open-ticket command")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/tickets")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/commit-outcome-unknown"
    assert "may or may not have been applied" in body["detail"]
