"""The SLA monitor's unit of work in memory (cosmicpython's FakeUnitOfWork): the same adapters as
`SlaUnitOfWork` (tickets with their exactly-once guard, stored inputs, policy and calendar documents,
the catalog), so handlers run through the real bus without a database or a broker."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sla_monitor.adapters.documents import CalendarDoc, PolicyDoc
from sla_monitor.adapters.repositories import STREAM_TYPE, stream_id
from sla_monitor.adapters.translate import clock_input
from sla_monitor.bootstrap import build_registry
from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.commands import ApplyTicketInput
from sla_monitor.domain.events import SlaEvent, once_key
from sla_monitor.domain.inputs import ClockInput
from sla_monitor.domain.policy import Policy
from sla_monitor.domain.seeds import DEFAULT
from sla_monitor.service_layer.handlers import HANDLERS

from shared.eventstore.store import StreamAppend
from shared.messagebus import MessageBus
from shared.testing.fakes import InMemoryStreams, InMemoryUnitOfWork

REGISTRY = build_registry()


@dataclass
class Row:
    ticket: SlaTicket
    version: int
    due_at: datetime | None


@dataclass
class World:
    """What the database would hold."""

    streams: InMemoryStreams = field(default_factory=InMemoryStreams)
    tickets: dict[str, Row] = field(default_factory=dict)
    emissions: set[tuple[str, str, str]] = field(default_factory=set)
    inputs: dict[uuid.UUID, tuple[str, datetime, ClockInput]] = field(default_factory=dict)
    policies: dict[str, dict] = field(default_factory=dict)
    calendars: dict[str, dict] = field(default_factory=dict)
    broken_calendars: dict[str, Any] = field(default_factory=dict)  # calendar id -> a stand-in that fails
    read_until: dict[tuple[str, int], datetime] = field(default_factory=dict)  # input partition -> read to

    def put(self, ticket: SlaTicket, due_at: datetime | None) -> None:
        """A stored state, as if an earlier input had saved it."""
        self.tickets[ticket.ticket_id] = Row(ticket, 0, due_at)


class FakeCatalog:
    def __init__(self, world: World) -> None:
        self.world = world
        self.reloads = 0

    async def fresh(self) -> None:
        return None

    async def reload(self) -> None:
        self.reloads += 1

    def policy(self, policy_id: str) -> Policy:
        doc = self.world.policies.get(policy_id) or self.world.policies.get("default")
        return PolicyDoc.model_validate(doc).to_domain() if doc else DEFAULT

    async def refusal(self, policy_id: str, calendar_id: str) -> str | None:
        unknown = []
        if policy_id != "default" and policy_id not in self.world.policies:
            unknown.append(f"unknown policy {policy_id!r}")
        if (
            calendar_id != "7x24"
            and calendar_id not in self.world.calendars
            and calendar_id not in (self.world.broken_calendars)
        ):
            unknown.append(f"unknown calendar {calendar_id!r}")
        return "; ".join(unknown) or None

    def calendar(self, calendar_id: str) -> BusinessCalendar:
        if calendar_id in self.world.broken_calendars:
            return self.world.broken_calendars[calendar_id]
        doc = self.world.calendars.get(calendar_id)
        return CalendarDoc.model_validate(doc).to_domain() if doc else BusinessCalendar.always("7x24")


class FakeTickets:
    def __init__(self, uow: FakeSlaUow) -> None:
        self._uow, self._world = uow, uow.world
        self._held: dict[str, tuple[int, datetime | None]] = {}
        self._appends: list[StreamAppend] = []

    async def serialise(self, ticket_id: str) -> None:
        """One unit of work at a time in memory: nothing to serialise."""

    async def get(self, ticket_id: str) -> SlaTicket | None:
        row = self._world.tickets.get(ticket_id)
        if row is None:
            return None
        self._held[ticket_id] = (row.version, row.due_at)
        return copy.deepcopy(row.ticket)

    def add(self, ticket: SlaTicket) -> None:
        self._held[ticket.ticket_id] = (0, None)

    async def due(self, now: datetime, limit: int) -> list[SlaTicket]:
        rows = sorted(
            (r for r in self._world.tickets.values() if r.due_at is not None and r.due_at <= now),
            key=lambda r: r.due_at or now,
        )[:limit]
        for row in rows:
            self._held[row.ticket.ticket_id] = (row.version, row.due_at)
        return [copy.deepcopy(row.ticket) for row in rows]

    def due_at(self, ticket_id: str) -> datetime | None:
        return self._held[ticket_id][1]

    async def save(self, ticket: SlaTicket, emitted: list[SlaEvent], *, next_due: datetime | None) -> None:
        version, due_at = self._held[ticket.ticket_id]
        fresh = [e for e in emitted if once_key(e) not in self._world.emissions]
        self._world.emissions |= {once_key(e) for e in fresh}
        if fresh:
            self._appends.append(
                StreamAppend(
                    stream_id(ticket.ticket_id),
                    STREAM_TYPE,
                    version,
                    fresh,
                    self._uow.metadata,
                    ticket.ticket_id,
                )
            )
        self._world.tickets[ticket.ticket_id] = Row(copy.deepcopy(ticket), version + len(fresh), next_due)
        self._held[ticket.ticket_id] = (version + len(fresh), due_at)

    async def save_all(self, fired) -> None:
        for ticket, emitted, next_due in fired:
            await self.save(ticket, emitted, next_due=next_due)

    async def postpone(self, ticket_id: str, until: datetime) -> None:
        self._world.tickets[ticket_id].due_at = until

    def collect_appends(self) -> list[StreamAppend]:
        appends, self._appends = self._appends, []
        return appends


class FakeInputs:
    def __init__(self, world: World) -> None:
        self._world = world

    async def keep(
        self, *, event_id: uuid.UUID, ticket_id: str, event_type: str, occurred_at: datetime, data: Mapping
    ) -> None:
        decoded = clock_input(REGISTRY.load(event_type, dict(data)))
        self._world.inputs.setdefault(event_id, (ticket_id, occurred_at, decoded))

    async def others(self, ticket_id: str, *, besides: uuid.UUID) -> list[ClockInput]:
        mine = [v for k, v in self._world.inputs.items() if v[0] == ticket_id and k != besides]
        return [decoded for _, _, decoded in sorted(mine, key=lambda v: v[1])]


class FakeDocuments:
    def __init__(self, documents: dict[str, dict], key: str, to_document, streams, stream_type: str) -> None:
        self._documents, self._key, self._to_document = documents, key, to_document
        self._streams, self._stream_type = streams, stream_type
        self._appends: list[StreamAppend] = []
        self.changed = False

    async def publish(self, item_id: str, event: Any, metadata=None) -> None:
        stream = f"{self._stream_type}:{item_id}"
        version = len(self._streams.events(stream)) + sum(1 for a in self._appends if a.stream_id == stream)
        self._appends.append(StreamAppend(stream, self._stream_type, version, [event], metadata, item_id))

    async def ever_announced(self, item_id: str) -> bool:
        return bool(self._streams.events(f"{self._stream_type}:{item_id}"))

    def collect_appends(self) -> list[StreamAppend]:
        appends, self._appends = self._appends, []
        return appends

    async def put(self, item_id: str, document: Mapping) -> bool:
        created = item_id not in self._documents
        self._documents[item_id] = dict(document)
        self.changed = True
        return created

    async def add_missing(self, item: Any) -> None:
        self._documents.setdefault(getattr(item, self._key), self._to_document(item))
        self.changed = True

    async def remove(self, item_id: str) -> bool:
        self.changed = True
        return self._documents.pop(item_id, None) is not None


class FakeWatermarks:
    """`sla_input_watermarks` in memory: a caught-up partition is read to `clock` (the database's)."""

    def __init__(self, world: World, clock) -> None:
        self._world = world
        self._clock = clock

    async def advance(self, partitions) -> None:
        for p in partitions:
            key = (p.topic, p.partition)
            if p.caught_up:
                until = self._clock() - timedelta(seconds=p.age_s)
            elif p.newest_ms is not None:
                until = datetime.fromtimestamp(p.newest_ms / 1000, UTC)
            else:
                self._world.read_until.setdefault(key, datetime.fromtimestamp(0, UTC))
                continue
            self._world.read_until[key] = max(self._world.read_until.get(key, until), until)

    async def match(self, topics) -> None:
        """Only the partitions that exist: others dropped, a listed one without a row not read yet."""
        for topic, partition in list(self._world.read_until):
            if topic not in topics.subscribed or partition not in topics.partitions.get(topic, {partition}):
                del self._world.read_until[(topic, partition)]
        for topic, partitions in topics.partitions.items():
            for partition in partitions:
                self._world.read_until.setdefault((topic, partition), datetime.fromtimestamp(0, UTC))

    async def horizon(self, *, now: datetime | None, grace_s: float) -> datetime:
        now = now or self._clock()
        if not self._world.read_until:
            return now
        return min(now, min(self._world.read_until.values()) - timedelta(seconds=grace_s))


class FakeSlaUow(InMemoryUnitOfWork):
    def __init__(self, world: World, catalog: FakeCatalog, metadata=None) -> None:
        super().__init__(world.streams, metadata)
        self.world = world
        self.catalog = catalog
        self.tickets = FakeTickets(self)
        self.inputs = FakeInputs(world)
        self.watermarks = FakeWatermarks(world, lambda: datetime.now(UTC))
        self.policies = FakeDocuments(
            world.policies,
            "policy_id",
            lambda p: PolicyDoc.from_domain(p).model_dump(mode="json"),
            world.streams,
            "sla-policy",
        )
        self.calendars = FakeDocuments(
            world.calendars,
            "calendar_id",
            lambda c: CalendarDoc.from_domain(c).model_dump(mode="json"),
            world.streams,
            "sla-calendar",
        )

    def pending_appends(self) -> list[StreamAppend]:
        return [
            *super().pending_appends(),
            *self.tickets.collect_appends(),
            *self.policies.collect_appends(),
            *self.calendars.collect_appends(),
        ]

    async def commit(self) -> None:
        await super().commit()
        if self.policies.changed or self.calendars.changed:
            await self.catalog.reload()


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def catalog(world: World) -> FakeCatalog:
    return FakeCatalog(world)


@pytest.fixture
def bus(world: World, catalog: FakeCatalog) -> MessageBus:
    return MessageBus(lambda metadata, conn: FakeSlaUow(world, catalog, metadata), HANDLERS)


@pytest.fixture
def inbound():
    """An inbound event as the consumer turns it into a command: (type, data) -> ApplyTicketInput."""

    def command(event_type: str, data: dict) -> ApplyTicketInput:
        event = REGISTRY.load(event_type, data)
        return ApplyTicketInput(
            input=clock_input(event),
            event_id=uuid.uuid4(),
            event_type=event_type,
            occurred_at=event.occurred_at,
            data=data,
        )

    return command
