"""The ticket's statuses and the groups commands check (apart, so the ticket's mixins share them)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    AWAITING_CUSTOMER = "awaiting_customer"
    AWAITING_PARTS = "awaiting_parts"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


WORKING = frozenset({Status.OPEN})
PAUSED = frozenset({Status.AWAITING_CUSTOMER, Status.AWAITING_PARTS})
UNFINISHED = WORKING | PAUSED
