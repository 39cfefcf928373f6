"""Small event types and helpers for the backbone tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.envelope import Envelope, EventMetadata
from shared.eventstore import EventStore
from shared.registry import EventRegistry
from shared.testing.waiting import read_topic, wait_until  # noqa: F401  (re-exported for the tests)


@dataclass(frozen=True, kw_only=True)
class WorkLogged:
    ticket_id: str
    step: int
    occurred_at: datetime


def now() -> datetime:
    return datetime.now(UTC)


def make_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register(WorkLogged)
    return registry


def make_store(topic: str) -> EventStore:
    return EventStore(make_registry(), source="/tests", route=lambda _type: topic)


META = EventMetadata(correlation_id="corr-1", actor="tester")


async def append_steps(engine: AsyncEngine, store: EventStore, ticket_id: str, steps: range) -> None:
    async with engine.begin() as conn:
        await store.append(
            conn,
            stream_id=ticket_id,
            stream_type="ticket",
            expected_version=steps.start - 1,
            new_events=[WorkLogged(ticket_id=ticket_id, step=s, occurred_at=now()) for s in steps],
            metadata=META,
        )


async def create_applied_table(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text("CREATE TABLE applied (id bigserial primary key, event_id text, ticket_id text, step int)")
        )


async def record_applied(conn: AsyncConnection, event: WorkLogged, envelope: Envelope) -> None:
    await conn.execute(
        text("INSERT INTO applied (event_id, ticket_id, step) VALUES (:e, :t, :s)"),
        {"e": str(envelope.id), "t": event.ticket_id, "s": event.step},
    )


async def applied_rows(engine: AsyncEngine) -> list[tuple[str, str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(text("SELECT event_id, ticket_id, step FROM applied ORDER BY id"))
        return [tuple(r) for r in rows]
