"""Ticket openings committed together (shared.group_commit): what lets intake keep up with a call center.

Openings that arrive while a transaction is in flight share the next one. Inside it each opening
runs the same handler as any command, on its own unit of work joined to the group's connection; then
one statement claims the group's idempotency keys, one appends every ticket's events (with their
outbox rows and the relay's NOTIFY), one inserts their read-model rows, one stores the answers.
Nothing is answered before the group commits; a refused opening fails only its own caller.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from intake.adapters.archive_facts import ArchiveFacts
from intake.domain.commands import OpenTicket
from intake.domain.errors import DomainError, IdempotencyKeyReused
from intake.service_layer.unit_of_work import IntakeUnitOfWork
from shared import idempotency
from shared.envelope import Envelope, EventMetadata
from shared.runtime import ServiceRuntime
from shared.unit_of_work import Projection, SqlUnitOfWork


@dataclass(frozen=True)
class Outcome:
    """The HTTP status and body of an opening (201, or the first answer to a retried key)."""

    status: int
    document: dict[str, Any]


@dataclass(frozen=True)
class _Opening:
    command: OpenTicket
    metadata: EventMetadata
    key: idempotency.KeyUse | None


@dataclass
class _Collected:
    """Stands in as every grouped unit of work's projection, so the real ones run once for all."""

    envelopes: list[Envelope] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)

    async def __call__(
        self, conn: AsyncConnection, envelopes: Sequence[Envelope], events: Sequence[Any]
    ) -> None:
        self.envelopes.extend(envelopes)
        self.events.extend(events)


class TicketOpenings:
    def __init__(
        self,
        runtime: ServiceRuntime,
        open_ticket: Callable[[OpenTicket, IntakeUnitOfWork], Awaitable[dict[str, Any]]],
        projections: Sequence[Projection],
    ) -> None:
        self._store = runtime.store
        self._open_ticket = open_ticket
        self._projections = projections
        # SLA policies and calendars found published: asked of the database once per process, not
        # once per ticket (the record of publications only grows; see adapters/sla_references.py).
        self._known_references: set[tuple[str, str]] = set()
        self._group = runtime.group_commit(
            "open-ticket",
            self._flush,
            conflict_key=lambda opening: opening.key and (opening.key.scope, opening.key.key),
        )

    async def open(
        self, command: OpenTicket, *, metadata: EventMetadata, key: idempotency.KeyUse | None
    ) -> Outcome:
        """Durable (events, outbox, read model, idempotency record) when it returns."""
        return await self._group.submit(_Opening(command, metadata, key))

    async def _flush(self, conn: AsyncConnection, openings: Sequence[_Opening]) -> list[Any]:
        """Each opening's Outcome, or the exception its caller gets; one statement per table."""
        group = IntakeUnitOfWork(self._store, conn=conn)
        outcomes: list[Any] = [None] * len(openings)
        keyed = [(i, opening.key) for i, opening in enumerate(openings) if opening.key is not None]
        claims = await group.idempotency.claim_many([key for _, key in keyed])
        owned: list[tuple[int, idempotency.KeyUse]] = []  # the keys this group now holds
        for (i, key), claim in zip(keyed, claims, strict=True):
            if isinstance(claim, idempotency.StoredResponse):
                outcomes[i] = Outcome(claim.status, claim.body)
            elif claim is not None:
                outcomes[i] = IdempotencyKeyReused()
            else:
                owned.append((i, key))
        memo: dict[tuple, ArchiveFacts] = {}  # openings about the same unit share the archive reads
        collected = _Collected()
        uows: list[IntakeUnitOfWork] = []
        for i, opening in enumerate(openings):
            if outcomes[i] is not None:
                continue
            uow = IntakeUnitOfWork(
                self._store,
                conn=conn,
                metadata=opening.metadata,
                projections=[collected],
                facts_memo=memo,
                known_references=self._known_references,
            )
            try:
                outcomes[i] = Outcome(201, await self._open_ticket(opening.command, uow))
            except DomainError as refused:
                outcomes[i] = refused
                continue
            uows.append(uow)
        released = [key for i, key in owned if isinstance(outcomes[i], DomainError)]
        await group.idempotency.release_many(released)  # a refused request may be retried, fixed
        await SqlUnitOfWork.flush_together(uows)
        for project in self._projections:
            await project(conn, collected.envelopes, collected.events)
        await group.idempotency.remember_many(
            [
                (key, idempotency.StoredResponse(201, outcomes[i].document))
                for i, key in owned
                if isinstance(outcomes[i], Outcome)
            ]
        )
        return outcomes
