"""Why a dispatch command is refused (the shared vocabulary, worded for jobs)."""

from __future__ import annotations

from typing import Any

from shared.domain_errors import DomainError, InvalidCommand
from shared.domain_errors import IllegalTransition as _IllegalTransition

__all__ = ["DomainError", "IllegalTransition", "InvalidCommand", "NotYourJob"]


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
