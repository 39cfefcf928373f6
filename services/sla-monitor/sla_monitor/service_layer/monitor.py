"""The live monitor: inputs from Kafka move the clocks; a durable timer fires what falls due.

Every change to a ticket's clocks happens under its row lock, in one transaction with the events it
emits (event store + outbox). The `sla_emissions` primary key lets each (ticket, clock, threshold)
out once: a replayed input, a second replica or a restart cannot emit it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import Envelope, EventMetadata
from shared.runtime import ServiceRuntime
from sla_monitor.adapters.inbound import DISPATCH_INPUTS, TICKET_INPUTS
from sla_monitor.adapters.state import dump_state, load_state
from sla_monitor.adapters.tables import sla_emissions, sla_inputs, sla_tickets
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.events import EscalationRaised, SlaEvent
from sla_monitor.service_layer import rules
from sla_monitor.service_layer.catalog import Catalog

log = logging.getLogger(__name__)
EMITTED = Counter("sla_events_emitted_total", "SLA events emitted", ["type"])
FIRE_DELAY = Histogram(
    "sla_fire_delay_seconds",
    "Threshold due -> committed emission",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30),
)
BACKLOG = Gauge("sla_timer_backlog_seconds", "How late the earliest pending threshold is (0: on time)")
FAILED = Counter("sla_timer_failures_total", "Tickets whose due thresholds could not be processed")
RETRY_FAILED_AFTER = timedelta(seconds=60)
STREAM_TYPE = "sla"
BATCH = 500
MAX_SLEEP_S = 0.25


def stream_id(ticket_id: str) -> str:
    return f"sla:{ticket_id}"


def guard_clock(event: SlaEvent) -> str:
    """Escalations are once per ticket and level, whichever clock raised them."""
    return "escalation" if isinstance(event, EscalationRaised) else event.clock


class Monitor:
    def __init__(self, runtime: ServiceRuntime, catalog: Catalog) -> None:
        self.runtime = runtime
        self.catalog = catalog
        self._wake = asyncio.Event()

    # ---- inputs --------------------------------------------------------------------------------
    def handlers(self) -> dict[str, Any]:
        return {cls.__name__: self.on_input for cls in (*TICKET_INPUTS, *DISPATCH_INPUTS)}

    async def on_input(self, conn: AsyncConnection, event: Any, envelope: Envelope) -> None:
        await self.catalog.fresh()
        ticket_id = rules.subject_of(event)
        await conn.execute(
            insert(sla_inputs)
            .values(
                event_id=envelope.id,
                ticket_id=ticket_id,
                event_type=envelope.type,
                occurred_at=event.occurred_at,
                data=envelope.data,
            )
            .on_conflict_do_nothing()
        )
        row = (
            await conn.execute(
                select(sla_tickets.c.state, sla_tickets.c.version)
                .where(sla_tickets.c.ticket_id == ticket_id)
                .with_for_update()
            )
        ).first()
        ticket = load_state(row.state) if row else None
        ticket, emitted = rules.apply(ticket, event, self.catalog.policy, self.catalog.calendar)
        if ticket is None:
            return  # kept in sla_inputs: applied when the ticket's opening arrives (topics are not ordered)
        if row is None:
            emitted += await self._apply_early_inputs(conn, ticket, envelope)
        metadata = envelope.caused("sla-monitor")
        await self._save(
            conn, ticket, emitted, version=row.version if row else 0, is_new=row is None, metadata=metadata
        )
        self._wake.set()

    async def _apply_early_inputs(
        self, conn: AsyncConnection, ticket: SlaTicket, opening: Envelope
    ) -> list[SlaEvent]:
        """Dispatch events consumed before the ticket's opening (another topic) are applied now, in
        occurrence order."""
        rows = (
            await conn.execute(
                select(sla_inputs.c.event_type, sla_inputs.c.data)
                .where(sla_inputs.c.ticket_id == ticket.ticket_id, sla_inputs.c.event_id != opening.id)
                .order_by(sla_inputs.c.occurred_at)
            )
        ).all()
        emitted: list[SlaEvent] = []
        for row in rows:
            early = self.runtime.registry.load(row.event_type, row.data)
            _, produced = rules.apply(ticket, early, self.catalog.policy, self.catalog.calendar)
            emitted += produced
        return emitted

    # ---- the durable timer ---------------------------------------------------------------------
    async def run_timer(self) -> None:
        while True:
            fired = await self.tick(datetime.now(UTC))
            if fired >= BATCH:
                continue
            await self._sleep_until_next_due()

    async def tick(self, now: datetime) -> int:
        """Fire every threshold due by `now` (a batch of tickets, rows locked, skipped if taken)."""
        await self.catalog.fresh()
        async with self.runtime.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(
                        sla_tickets.c.ticket_id,
                        sla_tickets.c.state,
                        sla_tickets.c.version,
                        sla_tickets.c.due_at,
                    )
                    .where(sla_tickets.c.due_at <= now)
                    .order_by(sla_tickets.c.due_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            metadata = EventMetadata(actor="sla-monitor")
            for row in rows:
                try:
                    async with conn.begin_nested():  # one bad row must not stall every other timer
                        ticket = load_state(row.state)
                        emitted = ticket.due(
                            now,
                            self.catalog.policy(ticket.policy_id),
                            self.catalog.calendar(ticket.calendar_id),
                        )
                        await self._save(
                            conn, ticket, emitted, version=row.version, is_new=False, metadata=metadata
                        )
                except Exception:
                    log.exception(
                        "could not fire due thresholds; retrying later", extra={"ticket_id": row.ticket_id}
                    )
                    FAILED.inc()
                    await conn.execute(
                        update(sla_tickets)
                        .where(sla_tickets.c.ticket_id == row.ticket_id)
                        .values(due_at=now + RETRY_FAILED_AFTER)
                    )
                    continue
                FIRE_DELAY.observe(max((datetime.now(UTC) - row.due_at).total_seconds(), 0.0))
        if rows and self.runtime.relay is not None:
            self.runtime.relay.wake()
        return len(rows)

    async def _sleep_until_next_due(self) -> None:
        async with self.runtime.engine.connect() as conn:
            next_due = (await conn.execute(select(func.min(sla_tickets.c.due_at)))).scalar()
        delay = MAX_SLEEP_S
        if next_due is not None:
            until = (next_due - datetime.now(UTC)).total_seconds()
            BACKLOG.set(max(-until, 0.0))
            delay = min(max(until, 0.0), MAX_SLEEP_S)
        else:
            BACKLOG.set(0.0)
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):  # not wait_for: it can swallow a cancellation on 3.11
                await self._wake.wait()

    # ---- persistence ---------------------------------------------------------------------------
    async def _save(
        self,
        conn: AsyncConnection,
        ticket: SlaTicket,
        emitted: list[SlaEvent],
        *,
        version: int,
        is_new: bool,
        metadata: EventMetadata,
    ) -> None:
        fresh = await self._claim(conn, emitted)
        if fresh:
            await self.runtime.store.append(
                conn,
                stream_id=stream_id(ticket.ticket_id),
                stream_type=STREAM_TYPE,
                expected_version=version,
                new_events=fresh,
                metadata=metadata,
                key=ticket.ticket_id,
            )
            for event in fresh:
                EMITTED.labels(type(event).__name__).inc()
        policy = self.catalog.policy(ticket.policy_id)
        values = {
            "state": dump_state(ticket),
            "version": version + len(fresh),
            "due_at": ticket.next_due(policy, self.catalog.calendar(ticket.calendar_id)),
            "updated_at": func.now(),
        }
        if is_new:
            await conn.execute(insert(sla_tickets).values(ticket_id=ticket.ticket_id, **values))
        else:
            await conn.execute(
                update(sla_tickets).where(sla_tickets.c.ticket_id == ticket.ticket_id).values(**values)
            )

    async def _claim(self, conn: AsyncConnection, emitted: list[SlaEvent]) -> list[SlaEvent]:
        if not emitted:
            return []
        keyed = {(e.ticket_id, guard_clock(e), e.threshold): e for e in emitted}
        rows = [{"ticket_id": t, "clock": c, "threshold": h, "event_id": uuid.uuid4()} for (t, c, h) in keyed]
        claimed = await conn.execute(
            insert(sla_emissions)
            .values(rows)
            .on_conflict_do_nothing()
            .returning(sla_emissions.c.ticket_id, sla_emissions.c.clock, sla_emissions.c.threshold)
        )
        won = {tuple(r) for r in claimed}
        return [event for key, event in keyed.items() if key in won]
