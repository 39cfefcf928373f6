"""Intake's unit of work: the repositories and adapters a handler may use, all on one transaction.

    async with uow:                       # made by the bus (own transaction or a consumer's)
        ticket = await uow.tickets.get("T-...")
        ticket.resolve(...)
        await uow.commit()                # events + outbox + read models, one transaction

Tickets, complaints and the customer archive are event-sourced (`tickets`, `complaints`,
`customers`, `units`, `contracts`); `archive` reads the archive's rows (its read model);
`ticket_rows` holds what dispatch tells about a ticket; `idempotency` the stored answers of ticket
openings; `sla_references` the policies and calendars the SLA monitor published. The
projections keep the read tables current on commit.

What the handlers check on the read model before a change (a serial number not taken) cannot see a
twin command not yet committed; the read model's unique indexes can. `flush` turns their violation
into the domain's answer (`UNIQUE_CONFLICTS`), so the loser of such a race is a 409 naming the
field, as if it had come second, not a server error.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from intake.adapters.archive import Archive
from intake.adapters.archive_facts import ArchiveFacts
from intake.adapters.idempotency import IdempotencyRecords
from intake.adapters.repositories import (
    ComplaintRepository,
    ContractRepository,
    CustomerRepository,
    TicketRepository,
    UnitRepository,
)
from intake.adapters.sla_references import SlaReferences
from intake.adapters.ticket_rows import TicketRows
from intake.domain.errors import ArchiveError
from shared.envelope import Envelope
from shared.eventstore import EventStore
from shared.unit_of_work import SqlUnitOfWork

UNIQUE_CONFLICTS = {
    # read-model constraint -> (title, field) of the 409 the handlers answer for the same collision
    "units_serial_number_key": ("serial number already registered", "serial_number"),
}


def _violated(exc: IntegrityError) -> str | None:
    """The name of the constraint a unique violation broke (asyncpg's, under SQLAlchemy's adapter)."""
    cause = getattr(exc.orig, "__cause__", None)
    name = getattr(cause, "constraint_name", None)
    if getattr(cause, "sqlstate", None) == "23505" and isinstance(name, str):
        return name
    return None


class IntakeUnitOfWork(SqlUnitOfWork):
    def __init__(
        self,
        store: EventStore,
        *,
        facts_memo: dict[tuple, ArchiveFacts] | None = None,
        known_references: set[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(store, **kwargs)
        self.tickets = TicketRepository(self)
        self.complaints = ComplaintRepository(self)
        self.customers = CustomerRepository(self)
        self.units = UnitRepository(self)
        self.contracts = ContractRepository(self)
        self.archive = Archive(self, facts_memo)
        self.ticket_rows = TicketRows(self)
        self.idempotency = IdempotencyRecords(self)
        self.sla_references = SlaReferences(self, known_references)

    async def flush(self) -> list[Envelope]:
        try:
            return await super().flush()
        except IntegrityError as exc:
            known = UNIQUE_CONFLICTS.get(_violated(exc) or "")
            if known is None:
                raise
            title, field = known
            raise ArchiveError(409, title, field) from exc
