"""Why a dispatch command is refused: machine-readable code, and the field or state at fault."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, state: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.state = state


class IllegalTransition(DomainError):
    """The current state (of the job or technician) does not allow the action."""

    code = "illegal_transition"

    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"cannot {action} a job that is {state}", state=state)
        self.action = action


class InvalidCommand(DomainError):
    """An input value is wrong (out of range, in the future, unchanged ...)."""

    code = "invalid_command"


class NotYourJob(DomainError):
    """A technician submitted a step for a job that is not (or no longer) assigned to them."""

    code = "not_your_job"

    def __init__(
        self,
        message: str = "the job is not assigned to this technician",
        *,
        field: str | None = "technician_id",
        state: str | None = None,
    ) -> None:
        super().__init__(message, field=field, state=state)
