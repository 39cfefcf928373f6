"""Where tickets, complaints and the customer archive are stored: one stream per aggregate, named by its id.

A ticket's stream id is its ticket id ("T-..."), a complaint's its complaint id ("CP-..."); both
publish on the tickets topic, a complaint about a ticket keyed by that ticket (so consumers see it in
the ticket's order). An id of the other kind is no aggregate of this one: `get` answers None.
Customers ("C-..."), units ("U-...") and contracts ("K-...") are streams of their own, keyed by their id.
"""

from __future__ import annotations

from datetime import datetime

from intake.domain.archive import Contract, Customer, Unit
from intake.domain.complaint import Complaint
from intake.domain.ticket import Ticket
from shared.repository import Repository

TICKET_PREFIX = "T-"
COMPLAINT_PREFIX = "CP-"
CUSTOMER_PREFIX = "C-"  # not "CP-": complaints are no customers
UNIT_PREFIX = "U-"
CONTRACT_PREFIX = "K-"


class TicketRepository(Repository[Ticket]):
    aggregate_type = Ticket
    stream_type = "ticket"

    def id_of(self, aggregate: Ticket) -> str:
        return aggregate.ticket_id

    async def get(self, aggregate_id: str, *, as_of: datetime | None = None) -> Ticket | None:
        if not aggregate_id.startswith(TICKET_PREFIX):
            return None
        return await super().get(aggregate_id, as_of=as_of)


class ComplaintRepository(Repository[Complaint]):
    aggregate_type = Complaint
    stream_type = "complaint"

    def id_of(self, aggregate: Complaint) -> str:
        return aggregate.complaint_id

    def key_of(self, aggregate: Complaint) -> str | None:
        return aggregate.ticket_id  # None: its own id

    async def get(self, aggregate_id: str, *, as_of: datetime | None = None) -> Complaint | None:
        if not aggregate_id.startswith(COMPLAINT_PREFIX):
            return None
        return await super().get(aggregate_id, as_of=as_of)


class CustomerRepository(Repository[Customer]):
    """A customer's stream (its contacts and sites with it) is its id ("C-..."), keyed by it."""

    aggregate_type = Customer
    stream_type = "customer"

    def id_of(self, aggregate: Customer) -> str:
        return aggregate.customer_id

    async def get(self, aggregate_id: str, *, as_of: datetime | None = None) -> Customer | None:
        if not aggregate_id.startswith(CUSTOMER_PREFIX) or aggregate_id.startswith(COMPLAINT_PREFIX):
            return None
        return await super().get(aggregate_id, as_of=as_of)


class UnitRepository(Repository[Unit]):
    aggregate_type = Unit
    stream_type = "unit"

    def id_of(self, aggregate: Unit) -> str:
        return aggregate.record_id

    async def get(self, aggregate_id: str, *, as_of: datetime | None = None) -> Unit | None:
        if not aggregate_id.startswith(UNIT_PREFIX):
            return None
        return await super().get(aggregate_id, as_of=as_of)


class ContractRepository(Repository[Contract]):
    aggregate_type = Contract
    stream_type = "contract"

    async def first_version(self, contract_id: str) -> Contract | None:
        """The contract as first recorded (read only), or None if it has no stream."""
        if not contract_id.startswith(CONTRACT_PREFIX):
            return None
        history = await self._uow.read_stream(self.stream_id(contract_id))
        return Contract.replay(history[:1]) if history else None

    def id_of(self, aggregate: Contract) -> str:
        return aggregate.record_id

    async def get(self, aggregate_id: str, *, as_of: datetime | None = None) -> Contract | None:
        if not aggregate_id.startswith(CONTRACT_PREFIX):
            return None
        return await super().get(aggregate_id, as_of=as_of)
