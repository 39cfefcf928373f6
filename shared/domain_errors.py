"""Why a command is refused, in one vocabulary for every service (standard library only, so domain
modules may use it). The HTTP edge answers each one as an RFC 9457 problem, in one handler
(`shared.http.problems`): routes raise, they do not translate."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused command: a machine-readable `code` and the `field` or `state` at fault."""

    code = "domain_error"
    status = 422
    title = "Invalid command"
    problem_type: str | None = None  # default: /problems/<code>

    def __init__(self, message: str, *, field: str | None = None, state: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.state = state

    @property
    def detail(self) -> str | None:
        return self.message

    def problem_extensions(self) -> dict[str, Any]:
        return {"field": self.field, "state": self.state}

    def problem_type_uri(self) -> str:
        return self.problem_type or f"/problems/{self.code}"


class InvalidCommand(DomainError):
    """An input value is wrong (out of range, in the future, unchanged ...)."""

    code = "invalid_command"


class IllegalTransition(DomainError):
    """The current state does not allow the action; the problem names the state."""

    code = "illegal_transition"
    status = 409
    title = "Illegal transition"
    problem_type = "/problems/illegal-transition"
    subject = "record"

    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"cannot {action} a {self.subject} that is {state}", state=state)
        self.action = action


class NotFound(DomainError):
    """Nothing by that id, or nothing the caller may see (the same answer, on purpose)."""

    code = "not_found"
    status = 404
    problem_type = "/problems/not-found"

    def __init__(self, what: str, key: str, *, field: str) -> None:
        super().__init__(f"no such {what}: {key}", field=field)
        self.title = f"No such {what}"

    @property
    def detail(self) -> str | None:
        return None


class Conflict(DomainError):
    """The command collides with what exists (a duplicate, a record still in use)."""

    code = "conflict"
    status = 409
