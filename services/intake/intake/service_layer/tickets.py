"""Ticket commands: one transaction each (events + outbox + read model + idempotency record); openings
that arrive together share theirs (group commit)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.tables import companies, contracts, tickets_view, units
from intake.domain.complaint import Complaint
from intake.domain.entitlement import Cause, FaultReport, PriorRepair, assess
from intake.domain.errors import InvalidCommand
from intake.domain.events import Channel, SatisfactionRecorded, Severity, TicketResolved
from intake.domain.ticket import Ticket, is_dissatisfied
from intake.service_layer import context as archive_context
from intake.service_layer.ids import time_ordered_id
from intake.service_layer.projection import (
    complaint_document,
    project_complaint,
    project_ticket,
    project_tickets,
    ticket_document,
)
from shared import idempotency
from shared.calendars.china import ChinaCalendar
from shared.domain_errors import DomainError, NotFound
from shared.envelope import EventMetadata
from shared.eventstore import StreamAppend
from shared.runtime import ServiceRuntime
from shared.legacy_unit_of_work import UnitOfWork, retry_on_conflict

TICKET_STREAM = "ticket"
COMPLAINT_STREAM = "complaint"


class TicketNotFound(NotFound):
    def __init__(self, ticket_id: str) -> None:
        super().__init__("ticket", ticket_id, field="ticket_id")


class ComplaintNotFound(NotFound):
    def __init__(self, complaint_id: str) -> None:
        super().__init__("complaint", complaint_id, field="complaint_id")


class VersionMismatch(DomainError):
    """If-Match named another version: the client must re-read before changing the ticket."""

    code = "version_mismatch"
    status = 412
    title = "The ticket has changed"
    problem_type = "/problems/version-mismatch"

    def __init__(self, current: int) -> None:
        super().__init__(f"the ticket is at version {current}")
        self.current = current

    def problem_extensions(self) -> dict[str, Any]:
        return {"current_version": self.current}


@dataclass(frozen=True, kw_only=True)
class OpenTicket:
    customer_id: str
    channel: Channel
    severity: Severity
    description: str
    caller_name: str
    caller_phone: str
    reported_at: datetime | None = None
    contract_id: str | None = None
    site_id: str | None = None
    unit_id: str | None = None
    serial_number: str | None = None
    fault_code: str | None = None


@dataclass(frozen=True)
class Outcome:
    status: int
    document: dict[str, Any]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Opening:
    command: OpenTicket
    metadata: EventMetadata
    key: idempotency.KeyUse | None


class TicketService:
    def __init__(self, runtime: ServiceRuntime, holidays: ChinaCalendar) -> None:
        self.runtime = runtime
        self.holidays = holidays
        self._openings = runtime.group_commit(
            "open-ticket",
            self._open_group,
            conflict_key=lambda opening: opening.key and (opening.key.scope, opening.key.key),
        )

    async def open(
        self,
        command: OpenTicket,
        *,
        metadata: EventMetadata,
        idempotency_key: str | None,
        scope: str,
        fingerprint: str,
    ) -> Outcome:
        """Durable (ticket, events, outbox, read model, idempotency record) when it returns.

        Tickets opened at the same moment share a transaction (group commit): under a call center's
        load that is what lets intake keep up; alone, a ticket commits at once.
        """
        use = idempotency.KeyUse(scope, idempotency_key, fingerprint) if idempotency_key else None
        return await self._openings.submit(_Opening(command, metadata, use))

    async def _open_group(self, conn: AsyncConnection, openings: Sequence[_Opening]) -> list[Any]:
        """Each opening's Outcome, or the exception its caller gets; one statement per table."""
        outcomes: list[Any] = [None] * len(openings)
        keyed = [i for i, opening in enumerate(openings) if opening.key is not None]
        claims = await idempotency.claim_many(conn, [openings[i].key for i in keyed])
        for i, claim in zip(keyed, claims, strict=True):
            if isinstance(claim, idempotency.StoredResponse):
                outcomes[i] = Outcome(claim.status, claim.body)
            elif claim is not None:
                outcomes[i] = claim  # the key was used for another request
        facts_of: dict[tuple, archive_context.ArchiveFacts] = {}
        opened: list[tuple[int, Ticket]] = []
        for i, opening in enumerate(openings):
            if outcomes[i] is not None:
                continue
            try:
                opened.append((i, await self._new_ticket(conn, opening.command, facts_of)))
            except DomainError as refused:
                outcomes[i] = refused
        released = [openings[i].key for i in keyed if isinstance(outcomes[i], DomainError)]
        await idempotency.release_many(conn, released)  # a refused request may be retried, fixed
        await self.runtime.store.append_many(
            conn,
            [
                StreamAppend(ticket.ticket_id, TICKET_STREAM, 0, ticket.pending_events, openings[i].metadata)
                for i, ticket in opened
            ],
        )
        for _, ticket in opened:
            ticket.pending_events.clear()
        await project_tickets(conn, [ticket for _, ticket in opened])
        answers = []
        for i, ticket in opened:
            outcomes[i] = Outcome(201, ticket_document(ticket))
            if openings[i].key is not None:
                answers.append((openings[i].key, idempotency.StoredResponse(201, outcomes[i].document)))
        await idempotency.remember_many(conn, answers)
        return outcomes

    async def _new_ticket(
        self, conn: AsyncConnection, command: OpenTicket, facts_of: dict[tuple, archive_context.ArchiveFacts]
    ) -> Ticket:
        lookup = {
            "customer_id": command.customer_id,
            "severity": command.severity,
            "caller_name": command.caller_name,
            "caller_phone": command.caller_phone,
            "contract_id": command.contract_id,
            "site_id": command.site_id,
            "unit_id": command.unit_id,
            "serial_number": command.serial_number,
        }
        memo = tuple(lookup.values())  # tickets of one group about the same unit share the reads
        if memo not in facts_of:
            facts_of[memo] = await archive_context.ticket_facts(conn, **lookup)
        facts = facts_of[memo]
        now = _now()
        contract = facts.contract or {}
        ticket = Ticket.open(
            ticket_id=time_ordered_id("T"),
            context=facts.context,
            channel=command.channel,
            reported_at=command.reported_at or now,
            description=command.description,
            caller=facts.caller,
            now=now,
            fault_code=command.fault_code,
            account_engineer_id=contract.get("account_engineer_id"),
            sales_rep_id=contract.get("sales_rep_id"),
        )
        if facts.unit is not None:
            self._entitle(
                ticket, facts.unit, facts.contract, Cause.PERFORMANCE_FAULT, now, facts.prior_repairs
            )
        return ticket

    async def change(
        self,
        ticket_id: str,
        action: Callable[[Ticket, datetime], Any],
        *,
        metadata: EventMetadata,
        if_match: int | None = None,
        read_archive: bool = False,
    ) -> dict[str, Any]:
        """Run one command on a ticket. `action(ticket, now)` may be a coroutine function; with
        `read_archive` it is called as `action(ticket, now, conn)` to read the archive in the same
        transaction."""

        async def attempt() -> dict[str, Any]:
            async with self.runtime.uow() as uow:
                ticket = await self._load(uow.conn, ticket_id)
                if if_match is not None and ticket.version != if_match:
                    raise VersionMismatch(ticket.version)
                outcome = action(ticket, _now(), uow.conn) if read_archive else action(ticket, _now())
                if inspect.isawaitable(outcome):
                    await outcome
                await self._save(uow, ticket, metadata)
                technician = await technician_of(uow.conn, ticket_id)
                await uow.commit()
                return ticket_document(ticket, technician)

        return await retry_on_conflict(attempt)

    async def reassess(
        self,
        ticket_id: str,
        *,
        cause: Cause,
        fault_code: str | None,
        metadata: EventMetadata,
        if_match: int | None = None,
    ) -> dict[str, Any]:
        async def assess(ticket: Ticket, _now: datetime, conn: AsyncConnection) -> None:
            if not await self.assess_again(conn, ticket, cause=cause, fault_code=fault_code):
                raise InvalidCommand("the ticket has no unit to assess", field="unit_id")

        return await self.change(ticket_id, assess, metadata=metadata, if_match=if_match, read_archive=True)

    async def assess_again(
        self, conn: AsyncConnection, ticket: Ticket, *, cause: Cause, fault_code: str | None
    ) -> bool:
        """Entitlement on a repair (diagnosis from the field, or a clerk); False: no unit to assess."""
        context = ticket.context
        assert context is not None
        if not context.unit_id:
            return False
        unit = await archive_context.row_by_id(conn, units, context.unit_id)
        contract = None
        if context.contract_id:
            contract = await archive_context.row_by_id(conn, contracts, context.contract_id)
        if unit is None:
            return False
        await self._assess(conn, ticket, unit, contract, cause, _now(), fault_code=fault_code)
        return True

    async def get(self, ticket_id: str, *, as_of: datetime | None = None) -> dict[str, Any]:
        async with self.runtime.engine.connect() as conn:
            history = await self.runtime.store.load_events(conn, ticket_id, as_of=as_of)
            if not history:
                raise TicketNotFound(ticket_id)
            return ticket_document(Ticket.replay(history), await technician_of(conn, ticket_id))

    async def history(self, ticket_id: str) -> list[dict[str, Any]]:
        async with self.runtime.engine.connect() as conn:
            stored = await self.runtime.store.read(conn, ticket_id)
        if not stored:
            raise TicketNotFound(ticket_id)
        return [
            {
                "version": e.version,
                "event_id": str(e.event_id),
                "type": e.event_type,
                "occurred_at": e.occurred_at.isoformat(),
                "recorded_at": e.recorded_at.isoformat(),
                "actor": e.metadata.get("actor"),
                "correlation_id": e.metadata.get("correlation_id"),
                "data": e.data,
            }
            for e in stored
        ]

    # ---- complaints ----------------------------------------------------------------------------
    async def file_complaint(
        self, *, customer_id: str, text: str, ticket_id: str | None, metadata: EventMetadata
    ) -> dict[str, Any]:
        async with self.runtime.uow() as uow:
            context = None
            if ticket_id is not None:
                ticket = await self._load(uow.conn, ticket_id)
                assert ticket.context is not None
                context = ticket.context
                if context.customer_id != customer_id:
                    raise InvalidCommand("the ticket belongs to another customer", field="ticket_id")
            elif await archive_context.row_by_id(uow.conn, companies, customer_id) is None:
                raise InvalidCommand("unknown customer", field="customer_id")
            complaint = Complaint.file(
                complaint_id=time_ordered_id("CP"),
                customer_id=customer_id,
                text=text,
                now=_now(),
                ticket_id=ticket_id,
                context=context,
            )
            await self._save_complaint(uow, complaint, metadata)
            await uow.commit()
            return complaint_document(complaint)

    async def answer_complaint(
        self, complaint_id: str, *, reply: str, metadata: EventMetadata
    ) -> dict[str, Any]:
        async def attempt() -> dict[str, Any]:
            async with self.runtime.uow() as uow:
                complaint = await uow.load(Complaint, complaint_id)
                if complaint is None:
                    raise ComplaintNotFound(complaint_id)
                complaint.answer(reply, metadata.actor or "unknown", _now())
                await self._save_complaint(uow, complaint, metadata)
                await uow.commit()
                return complaint_document(complaint)

        return await retry_on_conflict(attempt)

    async def complaint(self, complaint_id: str) -> dict[str, Any]:
        async with self.runtime.engine.connect() as conn:
            history = await self.runtime.store.load_events(conn, complaint_id)
        if not history:
            raise ComplaintNotFound(complaint_id)
        return complaint_document(Complaint.replay(history))

    # ---- shared steps --------------------------------------------------------------------------
    async def _load(self, conn: AsyncConnection, ticket_id: str) -> Ticket:
        history = await self.runtime.store.load_events(conn, ticket_id)
        if not history or not ticket_id.startswith("T-"):
            raise TicketNotFound(ticket_id)
        return Ticket.replay(history)

    async def _assess(
        self,
        conn,
        ticket: Ticket,
        unit,
        contract,
        cause: Cause,
        now: datetime,
        *,
        fault_code: str | None = None,
    ) -> None:
        prior = await archive_context.prior_repairs(conn, unit["id"], excluding_ticket=ticket.ticket_id)
        self._entitle(ticket, unit, contract, cause, now, prior, fault_code=fault_code)

    def _entitle(
        self,
        ticket: Ticket,
        unit,
        contract,
        cause: Cause,
        now: datetime,
        prior: Sequence[PriorRepair],
        *,
        fault_code: str | None = None,
    ) -> None:
        fault_code = fault_code or ticket.fault_code
        terms = archive_context.contract_terms(contract)
        report = FaultReport.at(
            ticket.reported_at or now, timezone=terms.timezone, fault_code=fault_code, cause=cause
        )
        entitlement = assess(
            unit=archive_context.unit_facts(unit),
            terms=terms,
            fault=report,
            prior_repairs=prior,
            calendar=self.holidays,
        )
        ticket.record_entitlement(entitlement, now, fault_code=fault_code)

    async def _save(self, uow: UnitOfWork, ticket: Ticket, metadata: EventMetadata) -> None:
        """Append the new events, then everything they imply in the same transaction."""
        new_events = list(ticket.pending_events)
        await uow.save(ticket, stream_id=ticket.ticket_id, stream_type=TICKET_STREAM, metadata=metadata)
        await apply_consequences(uow.conn, ticket, new_events, metadata, self.runtime, uow)

    async def _save_complaint(self, uow: UnitOfWork, complaint: Complaint, metadata: EventMetadata) -> None:
        await uow.save(
            complaint,
            stream_id=complaint.complaint_id,
            stream_type=COMPLAINT_STREAM,
            metadata=metadata,
            key=complaint.ticket_id,
        )
        await project_complaint(uow.conn, complaint)


async def apply_consequences(
    conn: AsyncConnection,
    ticket: Ticket,
    new_events: list[Any],
    metadata: EventMetadata,
    runtime: ServiceRuntime,
    uow: UnitOfWork | None,
) -> None:
    """Read model, repair history, and the complaint a dissatisfied callback opens."""
    await project_ticket(conn, ticket)
    context = ticket.context
    assert context is not None
    for event in new_events:
        if isinstance(event, TicketResolved) and context.unit_id and event.fault_code:
            await archive_context.record_repair(
                conn,
                ticket_id=ticket.ticket_id,
                unit_id=context.unit_id,
                fault_code=event.fault_code,
                resolved_on=event.occurred_at.date(),
            )
        if isinstance(event, SatisfactionRecorded) and is_dissatisfied(event.score):
            complaint = Complaint.file(
                complaint_id=time_ordered_id("CP"),
                customer_id=context.customer_id,
                ticket_id=ticket.ticket_id,
                text=f"dissatisfied at the callback (score {event.score}): {event.comment}".strip(),
                now=event.occurred_at,
                context=context,
                source="satisfaction_callback",
            )
            envelopes = await runtime.store.append(
                conn,
                stream_id=complaint.complaint_id,
                stream_type=COMPLAINT_STREAM,
                expected_version=0,
                new_events=complaint.pending_events,
                metadata=metadata,
                key=ticket.ticket_id,
            )
            if uow is not None:
                uow.published.extend(envelopes)
            complaint.pending_events.clear()
            await project_complaint(conn, complaint)


async def technician_of(conn: AsyncConnection, ticket_id: str) -> str | None:
    row = (
        await conn.execute(select(tickets_view.c.technician_id).where(tickets_view.c.ticket_id == ticket_id))
    ).first()
    return row[0] if row else None
