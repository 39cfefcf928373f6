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
    COMPLAINT_DESK = "complaint-desk"  # answers complaints, apart from the service department (seed 002)


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

    @property
    def acting_technician(self) -> str:
        """The technician whose jobs this principal works (the token's technician id, else its subject)."""
        return self.technician_id or self.subject

    @property
    def regional_scope(self) -> str | None:
        """A supervisor (and nothing more) with a region sees that region only; None: no such limit."""
        return self.region if self.roles == {Role.SUPERVISOR} else None
