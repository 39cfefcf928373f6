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
"""

from __future__ import annotations

from typing import Any

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
from shared.eventstore import EventStore
from shared.unit_of_work import SqlUnitOfWork


class IntakeUnitOfWork(SqlUnitOfWork):
    def __init__(
        self, store: EventStore, *, facts_memo: dict[tuple, ArchiveFacts] | None = None, **kwargs: Any
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
        self.sla_references = SlaReferences(self)
