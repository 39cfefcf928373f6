"""Why a dispatch command is refused (the shared vocabulary, worded for jobs)."""

from __future__ import annotations

from typing import Any

from shared.domain_errors import Conflict, DomainError, InvalidCommand, NotFound
from shared.domain_errors import IllegalTransition as _IllegalTransition

__all__ = [
    "ClientIdReused",
    "DomainError",
    "IllegalTransition",
    "InvalidCommand",
    "JobNotFound",
    "NoRoster",
    "NotYourJob",
    "TechnicianExists",
    "TechnicianNotFound",
]


class IllegalTransition(_IllegalTransition):
    """The current state (of the job or technician) does not allow the action."""

    subject = "job"


class NotYourJob(DomainError):
    """A technician submitted a step for a job that is not (or no longer) assigned to them.
    Answered like a missing job: someone else's job looks like no job at all."""

    code = "not_your_job"
    status = 404
    title = "No such job"
    problem_type = "/problems/not-found"

    def __init__(
        self,
        message: str = "the job is not assigned to this technician",
        *,
        field: str | None = "technician_id",
        state: str | None = None,
    ) -> None:
        super().__init__(message, field=field, state=state)

    @property
    def detail(self) -> str | None:
        return None

    def problem_extensions(self) -> dict[str, Any]:
        return {"field": "ticket_id"}


class JobNotFound(NotFound):
    def __init__(self, ticket_id: str) -> None:
        super().__init__("job", ticket_id, field="ticket_id")


class TechnicianNotFound(NotFound):
    def __init__(self, technician_id: str) -> None:
        super().__init__("technician", technician_id, field="technician_id")


class TechnicianExists(Conflict):
    code = "exists"
    title = "Technician already registered"

    def __init__(self, technician_id: str) -> None:
        super().__init__(f"technician {technician_id} is already registered", field="technician_id")

    @property
    def detail(self) -> str | None:
        return None


class ClientIdReused(DomainError):
    """A technician app reused a submission's client id for a different submission."""

    code = "idempotency_key_reused"
    title = "client_id reused for a different submission"
    problem_type = "/problems/idempotency-key-reused"

    def __init__(self) -> None:
        super().__init__("client_id reused for a different submission", field="client_id")

    @property
    def detail(self) -> str | None:
        return None

    def problem_extensions(self) -> dict[str, Any]:
        return {"field": self.field}


class NoRoster(DomainError):
    code = "not_found"
    status = 404
    title = "No roster yet: every active technician counts as on shift"
    problem_type = "/problems/not-found"

    def __init__(self) -> None:
        super().__init__("no roster yet")

    @property
    def detail(self) -> str | None:
        return None

    def problem_extensions(self) -> dict[str, Any]:
        return {}
