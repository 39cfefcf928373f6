"""Why a ticket command is refused (the shared vocabulary, worded for tickets)."""

from __future__ import annotations

from shared.domain_errors import DomainError, InvalidCommand
from shared.domain_errors import IllegalTransition as _IllegalTransition

__all__ = ["DomainError", "IllegalTransition", "InvalidCommand"]


class IllegalTransition(_IllegalTransition):
    """The ticket's current state does not allow the action."""

    subject = "ticket"
