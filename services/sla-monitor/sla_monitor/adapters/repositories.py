"""The per-ticket SLA state, as the unit of work sees it.

A ticket's clocks are derived from other services' events, not from its own stream, so they are kept
as a state row (`sla_tickets`: the clocks as JSON, the version of the ticket's SLA stream "sla:<id>",
and `due_at`, the durable timer: its next threshold), read and written under the row's lock. What the
clocks emit goes through the exactly-once guard and then into the unit of work's one append (with its
outbox rows) at commit: `collect_appends()` hands it over.
"""

from __future__ import annotations

import collections
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from prometheus_client import Counter
from sqlalchemy import Text, cast, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from shared.eventstore.store import StreamAppend
from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.adapters.state import dump_state, dump_state_json, load_state, load_state_json
from sla_monitor.adapters.tables import sla_tickets
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.events import SlaEvent

log = logging.getLogger(__name__)
EMITTED = Counter("sla_events_emitted_total", "SLA events emitted", ["type"])
FAILED = Counter("sla_timer_failures_total", "Tickets whose due thresholds could not be processed")
STREAM_TYPE = "sla"
_SAVE_ALL = text(
    "UPDATE sla_tickets AS t SET state = CAST(u.state AS jsonb), version = u.version, due_at = u.due_at,"
    " updated_at = now() FROM unnest(CAST(:ids AS text[]), CAST(:states AS text[]), CAST(:versions AS int[]),"
    " CAST(:dues AS timestamptz[])) AS u(ticket_id, state, version, due_at) WHERE t.ticket_id = u.ticket_id"
)


def stream_id(ticket_id: str) -> str:
    return f"sla:{ticket_id}"


class Claims(Protocol):
    async def claim(self, emitted: list[SlaEvent]) -> list[SlaEvent]: ...


@dataclass
class _Held:
    version: int  # of the ticket's SLA stream, as loaded
    is_new: bool
    due_at: datetime | None


class SlaTickets:
    def __init__(self, uow: SqlUnitOfWork, emissions: Claims) -> None:
        self._uow = uow
        self._emissions = emissions
        self._held: dict[str, _Held] = {}
        self._appends: list[StreamAppend] = []

    async def serialise(self, ticket_id: str) -> None:
        """One input of a ticket at a time, across replicas, until the commit. `get`'s row lock is not
        enough: it locks nothing while the ticket has no row, so two replicas applying a ticket's first
        inputs from two topics could each miss the other's (one input kept and never applied)."""
        await self._uow.conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:ticket_id, 0))"), {"ticket_id": ticket_id}
        )

    async def get(self, ticket_id: str) -> SlaTicket | None:
        """The ticket's clocks, its row locked until the commit; None if the monitor does not know it."""
        row = (
            await self._uow.conn.execute(
                select(sla_tickets.c.state, sla_tickets.c.version, sla_tickets.c.due_at)
                .where(sla_tickets.c.ticket_id == ticket_id)
                .with_for_update()
            )
        ).first()
        if row is None:
            return None
        self._held[ticket_id] = _Held(row.version, False, row.due_at)
        return load_state(row.state)

    def add(self, ticket: SlaTicket) -> None:
        self._held[ticket.ticket_id] = _Held(0, True, None)

    async def due(self, now: datetime, limit: int) -> list[SlaTicket]:
        """Tickets with a threshold due by `now`, earliest first; rows another replica holds are skipped."""
        state = cast(sla_tickets.c.state, Text).label("state")  # text: parsed once, by the validator
        rows = (
            await self._uow.conn.execute(
                select(sla_tickets.c.ticket_id, state, sla_tickets.c.version, sla_tickets.c.due_at)
                .where(sla_tickets.c.due_at <= now)
                .order_by(sla_tickets.c.due_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            self._held[row.ticket_id] = _Held(row.version, False, row.due_at)
        return [load_state_json(row.state) for row in rows]

    def due_at(self, ticket_id: str) -> datetime | None:
        """When the loaded ticket's timer was due (for the fire-delay metric)."""
        return self._held[ticket_id].due_at

    async def save(self, ticket: SlaTicket, emitted: list[SlaEvent], *, next_due: datetime | None) -> None:
        """Store the clocks and the next due time; what was not emitted before is appended at commit."""
        held = self._held[ticket.ticket_id]
        fresh = await self._emissions.claim(emitted)
        if fresh:
            self._appends.append(
                StreamAppend(
                    stream_id(ticket.ticket_id),
                    STREAM_TYPE,
                    held.version,
                    fresh,
                    self._uow.metadata,
                    ticket.ticket_id,
                )
            )
            for event in fresh:
                EMITTED.labels(type(event).__name__).inc()
        values = {
            "state": dump_state(ticket),
            "version": held.version + len(fresh),
            "due_at": next_due,
            "updated_at": func.now(),
        }
        if held.is_new:
            await self._uow.conn.execute(insert(sla_tickets).values(ticket_id=ticket.ticket_id, **values))
        else:
            await self._uow.conn.execute(
                update(sla_tickets).where(sla_tickets.c.ticket_id == ticket.ticket_id).values(**values)
            )
        held.version, held.is_new = held.version + len(fresh), False

    async def save_all(self, fired: list[tuple[SlaTicket, list[SlaEvent], datetime | None]]) -> None:
        """`save` for a batch of loaded tickets (the timer's): one claim, one append and one UPDATE for
        them all, not a round trip per ticket -- catching up on many overdue clocks is bound by these."""
        fresh = set(map(id, await self._emissions.claim([e for _, emitted, _ in fired for e in emitted])))
        rows: dict[str, list] = {"ids": [], "states": [], "versions": [], "dues": []}
        counts: collections.Counter[str] = collections.Counter()
        for ticket, emitted, next_due in fired:
            held = self._held[ticket.ticket_id]
            new = [event for event in emitted if id(event) in fresh]
            if new:
                self._appends.append(
                    StreamAppend(
                        stream_id(ticket.ticket_id),
                        STREAM_TYPE,
                        held.version,
                        new,
                        self._uow.metadata,
                        ticket.ticket_id,
                    )
                )
                counts.update(type(event).__name__ for event in new)
            held.version += len(new)
            rows["ids"].append(ticket.ticket_id)
            rows["states"].append(dump_state_json(ticket))
            rows["versions"].append(held.version)
            rows["dues"].append(next_due)
        for name, count in counts.items():
            EMITTED.labels(name).inc(count)
        if rows["ids"]:
            await self._uow.conn.execute(_SAVE_ALL, rows)

    async def postpone(self, ticket_id: str, until: datetime) -> None:
        """A ticket whose thresholds could not be computed is retried later, not every tick."""
        FAILED.inc()
        await self._uow.conn.execute(
            update(sla_tickets).where(sla_tickets.c.ticket_id == ticket_id).values(due_at=until)
        )

    def collect_appends(self) -> list[StreamAppend]:
        appends, self._appends = self._appends, []
        return appends
