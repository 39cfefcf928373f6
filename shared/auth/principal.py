"""Who is calling: a person (JWT) or a machine client (API key)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    INTEGRATION = "integration"  # call-center gateways: create tickets, look up customers
    TECHNICIAN = "technician"  # their own jobs and those jobs' tickets only
    DISPATCHER = "dispatcher"
    SUPERVISOR = "supervisor"  # their region
    INVENTORY_CLERK = "inventory-clerk"
    OPS_ADMIN = "ops-admin"  # policies, calendars, templates, rosters, API keys


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role]
    client_id: str
    region: str | None = None
    technician_id: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def actor(self) -> str:
        """What events record as the actor (audit)."""
        return self.subject if self.subject == self.client_id else f"{self.subject}@{self.client_id}"

    @property
    def is_only_technician(self) -> bool:
        return self.roles == {Role.TECHNICIAN}
