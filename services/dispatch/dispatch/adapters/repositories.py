"""Where dispatch's aggregates are stored: one repository each, owning stream ids, types and keys.

Jobs live in ``job:<ticket_id>`` (keyed by the ticket), technicians in ``tech:<technician_id>``,
maintenance visits in ``visit:<visit_id>`` (keyed by the visit id, which their events carry as
``ticket_id``).
"""

from __future__ import annotations

from dispatch.domain.job import Job
from dispatch.domain.maintenance import Visit
from dispatch.domain.technician import Technician
from shared.repository import Repository


def job_stream(ticket_id: str) -> str:
    return f"job:{ticket_id}"


class JobRepository(Repository[Job]):
    aggregate_type = Job
    stream_type = "job"

    def stream_id(self, aggregate_id: str) -> str:
        return job_stream(aggregate_id)

    def id_of(self, aggregate: Job) -> str:
        return aggregate.ticket_id

    def key_of(self, aggregate: Job) -> str | None:
        return aggregate.ticket_id

    def loaded(self, ticket_id: str) -> Job | None:
        """The job this unit of work holds (for projections: its state after the new events)."""
        return self._uow.tracked(self.stream_id(ticket_id))  # type: ignore[return-value]


class TechnicianRepository(Repository[Technician]):
    aggregate_type = Technician
    stream_type = "technician"

    def stream_id(self, aggregate_id: str) -> str:
        return f"tech:{aggregate_id}"

    def id_of(self, aggregate: Technician) -> str:
        return aggregate.technician_id

    def key_of(self, aggregate: Technician) -> str | None:
        return aggregate.technician_id


class VisitRepository(Repository[Visit]):
    aggregate_type = Visit
    stream_type = "visit"

    def stream_id(self, aggregate_id: str) -> str:
        return f"visit:{aggregate_id}"

    def id_of(self, aggregate: Visit) -> str:
        return aggregate.visit_id

    def key_of(self, aggregate: Visit) -> str | None:
        return aggregate.visit_id
