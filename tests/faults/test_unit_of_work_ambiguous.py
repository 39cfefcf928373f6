"""Issue 11 item 8, the plain unit of work: a COMMIT that lost its answer is "outcome unknown".

Group commit already answered so; a command on its own transaction (`SqlUnitOfWork(engine=...)`, what
every route's bus call uses) did not: the connection lost after the server committed surfaced as an
internal error (a 500 that invites a blind retry, i.e. a second ticket). The injected fault: the real
PostgreSQL commits, the proxy drops the reply. The caller must get `CommitOutcomeUnknown` (503), the
handler must not run again, and the command is stored once.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.aggregate import Aggregate
from shared.errors import CommitOutcomeUnknown
from shared.eventstore import EventStore
from shared.eventstore.tables import backbone_metadata
from shared.http.problems import install_problem_handlers
from shared.messagebus import MessageBus
from shared.registry import EventRegistry
from shared.repository import Repository
from shared.unit_of_work import SqlUnitOfWork
from tests.faults.cutting_proxy import CuttingProxy, command_complete


@dataclass(frozen=True, kw_only=True)
class CaseOpened:
    case_id: str


class Case(Aggregate):
    def __init__(self) -> None:
        super().__init__()
        self.case_id = ""

    @classmethod
    def open(cls, case_id: str) -> "Case":
        case = cls()
        case._record(CaseOpened(case_id=case_id))
        return case

    def _apply(self, event: object) -> None:
        if isinstance(event, CaseOpened):
            self.case_id = event.case_id


class Cases(Repository[Case]):
    aggregate_type = Case
    stream_type = "case"

    def id_of(self, aggregate: Case) -> str:
        return aggregate.case_id


class CaseUow(SqlUnitOfWork):
    def __init__(self, store: EventStore, **kwargs) -> None:
        super().__init__(store, **kwargs)
        self.cases = Cases(self)


@dataclass(frozen=True)
class OpenCase:
    case_id: str


@pytest.fixture
async def proxied(database_url):
    """(engine through the proxy, direct engine, proxy) on a database with the backbone tables."""
    direct = create_async_engine(database_url)
    async with direct.begin() as conn:
        await conn.run_sync(backbone_metadata.create_all)
    parts = urlsplit(database_url)
    proxy = await CuttingProxy(parts.hostname, parts.port).start()
    via_proxy = create_async_engine(
        urlunsplit(parts._replace(netloc=f"{parts.username}@127.0.0.1:{proxy.port}"))
    )
    yield via_proxy, direct, proxy
    await via_proxy.dispose()
    await proxy.stop()
    await direct.dispose()


def app_and_runs(engine) -> tuple[FastAPI, list[str]]:
    """A route that opens a case through the bus on its own unit of work; `runs`: handler calls."""
    registry = EventRegistry()
    registry.register(CaseOpened)
    store = EventStore(registry, source="/tests", route=lambda _type: "cases")
    runs: list[str] = []

    async def open_case(command: OpenCase, uow: CaseUow) -> str:
        runs.append(command.case_id)
        uow.cases.add(Case.open(command.case_id))
        return command.case_id

    bus = MessageBus(
        lambda metadata, conn: CaseUow(store, engine=engine, metadata=metadata), {OpenCase: open_case}
    )
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/cases/{case_id}", status_code=201)
    async def post_case(case_id: str) -> dict:
        return {"case_id": await bus.handle(OpenCase(case_id))}

    return app, runs


async def stored(engine) -> list[str]:
    async with engine.connect() as conn:
        return sorted((await conn.execute(text("SELECT stream_id FROM events"))).scalars())


async def post(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post(path)


async def test_a_command_whose_commit_lost_its_answer_is_outcome_unknown_and_not_re_run(proxied):
    via_proxy, direct, proxy = proxied
    app, runs = app_and_runs(via_proxy)
    assert (await post(app, "/cases/warm-up")).status_code == 201  # the pool holds a connection
    proxy.cut_at(command_complete("COMMIT"))

    response = await post(app, "/cases/C-1")

    assert proxy.cuts == 1
    assert response.status_code == 503, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/commit-outcome-unknown"
    assert runs == ["warm-up", "C-1"], "the handler must not be re-run after an ambiguous COMMIT"
    assert await stored(direct) == ["C-1", "warm-up"]  # the server did commit it, once
    # The service goes on: the next command commits normally.
    assert (await post(app, "/cases/C-2")).status_code == 201
    assert await stored(direct) == ["C-1", "C-2", "warm-up"]


async def test_the_bus_raises_outcome_unknown_to_its_caller(proxied):
    via_proxy, direct, proxy = proxied
    registry = EventRegistry()
    registry.register(CaseOpened)
    store = EventStore(registry, source="/tests", route=lambda _type: "cases")

    async def open_case(command: OpenCase, uow: CaseUow) -> None:
        uow.cases.add(Case.open(command.case_id))

    bus = MessageBus(lambda m, c: CaseUow(store, engine=via_proxy, metadata=m), {OpenCase: open_case})
    await bus.handle(OpenCase("warm-up"))
    proxy.cut_at(command_complete("COMMIT"))
    with pytest.raises(CommitOutcomeUnknown):
        await bus.handle(OpenCase("C-1"))
    assert await stored(direct) == ["C-1", "warm-up"]


async def test_a_connection_lost_before_commit_is_no_outcome_unknown(proxied):
    """Lost while the command's statements run (before COMMIT was sent): certainly rolled back."""
    via_proxy, direct, proxy = proxied
    app, runs = app_and_runs(via_proxy)
    assert (await post(app, "/cases/warm-up")).status_code == 201
    proxy.cut_at(command_complete("SELECT 1"))  # the append (one statement), inside the transaction

    response = await post(app, "/cases/C-1")

    assert proxy.cuts == 1
    assert response.json()["type"] != "/problems/commit-outcome-unknown", response.text
    assert await stored(direct) == ["warm-up"]
