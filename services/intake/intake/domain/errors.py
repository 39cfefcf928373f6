"""Why an intake command or query is refused (the shared vocabulary, worded for intake).

Each answers as RFC 9457 problem+json through the service's problem handlers; routes raise nothing
else, so a client sees the same shape (type, title, status, field) whatever refused it.
"""

from __future__ import annotations

from typing import Any

from shared.domain_errors import DomainError, InvalidCommand, NotFound
from shared.domain_errors import IllegalTransition as _IllegalTransition

__all__ = [
    "ArchiveError",
    "ComplaintNotFound",
    "DomainError",
    "IdempotencyKeyReused",
    "IllegalTransition",
    "InvalidCommand",
    "MalformedRequest",
    "NotFound",
    "TicketNotFound",
    "VersionMismatch",
]


class IllegalTransition(_IllegalTransition):
    """The ticket's current state does not allow the action."""

    subject = "ticket"


class TicketNotFound(NotFound):
    def __init__(self, ticket_id: str) -> None:
        super().__init__("ticket", ticket_id, field="ticket_id")


class ComplaintNotFound(NotFound):
    def __init__(self, complaint_id: str) -> None:
        super().__init__("complaint", complaint_id, field="complaint_id")


class VersionMismatch(DomainError):
    """If-Match named another version: the client must re-read before changing the ticket."""

    code = "version_mismatch"
    status = 412
    title = "The ticket has changed"
    problem_type = "/problems/version-mismatch"

    def __init__(self, current: int) -> None:
        super().__init__(f"the ticket is at version {current}")
        self.current = current

    def problem_extensions(self) -> dict[str, Any]:
        return {"current_version": self.current}


class ArchiveError(DomainError):
    """A refused archive change; its title says why (answered as /problems/archive)."""

    code = "archive"

    def __init__(self, status: int, title: str, field: str | None = None) -> None:
        super().__init__(title, field=field)
        self.status, self.title = status, title

    @property
    def detail(self) -> str | None:
        return None


class MalformedRequest(DomainError):
    """A header or query value that cannot be read (a malformed ETag or cursor, an as_of without a zone)."""

    code = "validation"

    def __init__(self, title: str, *, field: str, detail: str | None = None, status: int = 422) -> None:
        super().__init__(title, field=field)
        self.status, self.title, self._detail = status, title, detail

    @property
    def detail(self) -> str | None:
        return self._detail


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was used before for a request with another body."""

    code = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different body"

    def __init__(self) -> None:
        super().__init__(self.title, field="Idempotency-Key")

    @property
    def detail(self) -> str | None:
        return None
