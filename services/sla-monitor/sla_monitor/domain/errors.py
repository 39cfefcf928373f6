"""Why the SLA monitor refuses a command, in the shared vocabulary (answered as problem+json)."""

from __future__ import annotations

from shared.domain_errors import Conflict, InvalidCommand

PROTECTED = frozenset({"default", "7x24"})  # neither a policy nor a calendar by these ids is deleted


class IdMismatch(InvalidCommand):
    """The id in the body is not the id in the path."""

    problem_type = "/problems/validation"

    def __init__(self, field: str) -> None:
        super().__init__(f"{field} in the body differs from the path", field=field)
        self.title = self.message

    @property
    def detail(self) -> str | None:
        return None


class InvalidPolicy(InvalidCommand):
    problem_type = "/problems/validation"
    title = "Invalid policy"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="targets")


class Protected(Conflict):
    """The default policy and the 7x24 calendar are what every unknown id falls back to."""

    problem_type = "/problems/protected"

    def __init__(self, title: str, *, field: str) -> None:
        super().__init__(title, field=field)
        self.title = title

    @property
    def detail(self) -> str | None:
        return None
