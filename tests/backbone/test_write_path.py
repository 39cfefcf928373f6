"""The one write path: aggregate base, repository, unit of work (in memory and on PostgreSQL), bus."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text

from shared.aggregate import Aggregate
from shared.envelope import EventMetadata
from shared.errors import ConcurrencyConflict
from shared.eventstore import EventStore
from shared.messagebus import MessageBus
from shared.registry import EventRegistry
from shared.repository import Repository
from shared.testing.fakes import InMemoryStreams, InMemoryUnitOfWork
from shared.unit_of_work import SqlUnitOfWork


@dataclass(frozen=True, kw_only=True)
class CounterStarted:
    counter_id: str


@dataclass(frozen=True, kw_only=True)
class CounterIncremented:
    counter_id: str
    by: int


class Counter(Aggregate):
    def __init__(self) -> None:
        super().__init__()
        self.counter_id = ""
        self.value = 0

    @classmethod
    def start(cls, counter_id: str) -> Counter:
        counter = cls()
        counter._record(CounterStarted(counter_id=counter_id))
        return counter

    def increment(self, by: int) -> None:
        self._record(CounterIncremented(counter_id=self.counter_id, by=by))

    def _apply(self, event: object) -> None:
        match event:
            case CounterStarted():
                self.counter_id = event.counter_id
            case CounterIncremented():
                self.value += event.by


class Counters(Repository[Counter]):
    aggregate_type = Counter
    stream_type = "counter"

    def stream_id(self, aggregate_id: str) -> str:
        return f"counter-{aggregate_id}"

    def id_of(self, aggregate: Counter) -> str:
        return aggregate.counter_id


@dataclass(frozen=True)
class StartCounter:
    counter_id: str


@dataclass(frozen=True)
class Increment:
    counter_id: str
    by: int


async def start_counter(command: StartCounter, uow) -> None:
    uow.counters.add(Counter.start(command.counter_id))


async def increment(command: Increment, uow) -> int:
    counter = await uow.counters.get(command.counter_id)
    counter.increment(command.by)
    return counter.value


HANDLERS = {StartCounter: start_counter, Increment: increment}


class FakeUow(InMemoryUnitOfWork):
    def __init__(self, streams: InMemoryStreams, metadata: EventMetadata | None = None) -> None:
        super().__init__(streams, metadata)
        self.counters = Counters(self)


class CounterUow(SqlUnitOfWork):
    def __init__(self, store: EventStore, **kwargs) -> None:
        super().__init__(store, **kwargs)
        self.counters = Counters(self)


def test_aggregate_records_applies_and_hands_over_once():
    counter = Counter.start("c")
    counter.increment(2)
    assert counter.version == 2 and counter.stored_version == 0
    assert [type(e) for e in counter.collect_events()] == [CounterStarted, CounterIncremented]
    assert counter.collect_events() == [] and counter.stored_version == 2
    replayed = Counter.replay([CounterStarted(counter_id="c"), CounterIncremented(counter_id="c", by=2)])
    assert (replayed.value, replayed.version, replayed.pending_events) == (2, 2, [])


async def test_bus_runs_handlers_on_an_in_memory_unit_of_work():
    streams = InMemoryStreams()
    bus = MessageBus(lambda metadata, conn: FakeUow(streams, metadata), HANDLERS)
    await bus.handle(StartCounter("c"), metadata=EventMetadata(actor="tester"))
    assert await bus.handle(Increment("c", 5)) == 5
    assert await bus.handle(Increment("c", 1)) == 6
    assert [type(e) for e in streams.events("counter-c")] == [
        CounterStarted,
        CounterIncremented,
        CounterIncremented,
    ]
    assert streams.appended[0][2].actor == "tester"


async def test_in_memory_unit_of_work_refuses_a_stale_writer_like_the_database():
    streams = InMemoryStreams()
    await MessageBus(lambda m, c: FakeUow(streams, m), HANDLERS).handle(StartCounter("c"))
    first, second = FakeUow(streams), FakeUow(streams)
    (await first.counters.get("c")).increment(1)
    (await second.counters.get("c")).increment(1)
    await first.commit()
    with pytest.raises(ConcurrencyConflict):
        await second.commit()


async def test_sql_unit_of_work_appends_projects_and_commits_once(backbone_engine):
    registry = EventRegistry()
    registry.register_all(CounterStarted, CounterIncremented)
    store = EventStore(registry, source="/test", route=lambda event_type: "counters")
    projected: list[str] = []

    async def projection(conn, envelopes, events) -> None:
        projected.extend(envelope.type for envelope in envelopes)

    def factory(metadata, conn):
        if conn is None:
            return CounterUow(store, engine=backbone_engine, metadata=metadata, projections=[projection])
        return CounterUow(store, conn=conn, metadata=metadata, projections=[projection])

    bus = MessageBus(factory, HANDLERS)
    await bus.handle(StartCounter("c"))
    # Two commands racing for the same version: the loser is re-run on a fresh unit of work.
    import asyncio

    results = await asyncio.gather(*(bus.handle(Increment("c", 1)) for _ in range(4)))
    assert sorted(results) == [1, 2, 3, 4]
    async with backbone_engine.connect() as conn:
        versions = (
            await conn.execute(text("SELECT version FROM events WHERE stream_id = 'counter-c' ORDER BY 1"))
        ).scalars()
        outbox = (await conn.execute(text("SELECT count(*) FROM outbox"))).scalar_one()
    assert list(versions) == [1, 2, 3, 4, 5] and outbox == 5
    assert projected.count("CounterIncremented") == 4
    # Joined to someone else's transaction: flushed by commit(), committed (or not) by the owner.
    async with backbone_engine.connect() as conn:
        tx = await conn.begin()
        await bus.handle(Increment("c", 10), conn=conn)
        await tx.rollback()
    async with backbone_engine.connect() as conn:
        count = (await conn.execute(text("SELECT count(*) FROM events"))).scalar_one()
    assert count == 5
