"""Events and helpers shared by the relay fault tests."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from shared.eventstore import EventStore
from shared.registry import EventRegistry
from tests.backbone.support import META, now


@dataclass(frozen=True, kw_only=True)
class NoteAdded:
    ticket_id: str
    step: int
    note: str
    occurred_at: object


def note_store(topic: str, **options) -> EventStore:
    registry = EventRegistry()
    registry.register(NoteAdded)
    return EventStore(registry, source="/tests", route=lambda _type: topic, **options)


async def add_note(engine, store: EventStore, ticket_id: str, step: int, note: str = "ok") -> None:
    async with engine.begin() as conn:
        await store.append(
            conn,
            stream_id=ticket_id,
            stream_type="ticket",
            expected_version=step - 1,
            new_events=[NoteAdded(ticket_id=ticket_id, step=step, note=note, occurred_at=now())],
            metadata=META,
        )


async def enlarge(engine, key: str, step: int, note: str) -> None:
    """Make an outbox row oversized, as one written before the append limit existed would be."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE outbox SET payload = convert_to(jsonb_set(convert_from(payload, 'UTF8')::jsonb, "
                "'{note}', to_jsonb(CAST(:note AS text)))::text, 'UTF8') "
                "WHERE key = :key AND (convert_from(payload, 'UTF8')::jsonb ->> 'step')::int = :step"
            ),
            {"key": key, "step": step, "note": note},
        )


def steps_by_key(records) -> dict[str, list[int]]:
    by_key: dict[str, list[int]] = {}
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_key.setdefault(record.key.decode(), []).append(json.loads(record.value)["step"])
    return by_key


async def outbox_states(engine) -> dict[tuple[str, int], str]:
    """(key, step) -> 'published' | 'parked' | 'pending'."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT key, (convert_from(payload, 'UTF8')::jsonb ->> 'step')::int AS step, "
                "CASE WHEN published_at IS NOT NULL THEN 'published' "
                "WHEN parked_at IS NOT NULL THEN 'parked' ELSE 'pending' END AS state FROM outbox"
            )
        )
        return {(r.key, r.step): r.state for r in rows}


class CountingProducer(AIOKafkaProducer):
    """A real producer that counts the messages it was asked to send (to tell two relays apart)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sends = 0

    async def send(self, *args, **kwargs) -> asyncio.Future:
        self.sends += 1
        return await super().send(*args, **kwargs)
