"""Why a ticket command is refused: machine-readable code, and the field or state at fault."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None, state: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.state = state


class IllegalTransition(DomainError):
    """The ticket's current state does not allow the action."""

    code = "illegal_transition"

    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"cannot {action} a ticket that is {state}", state=state)
        self.action = action


class InvalidCommand(DomainError):
    """An input value is wrong for this ticket (e.g. the severity it already has)."""

    code = "invalid_command"
