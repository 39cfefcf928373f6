"""Topic names, one place. A prefix lets tests (and tenants) use their own topics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topics:
    prefix: str = ""

    def _name(self, name: str) -> str:
        return f"{self.prefix}servicepact.{name}"

    @property
    def tickets(self) -> str:
        """Ticket lifecycle, complaints, entitlement (intake)."""
        return self._name("tickets.v1")

    @property
    def dispatch(self) -> str:
        """Assignments and field work (dispatch)."""
        return self._name("dispatch.v1")

    @property
    def sla(self) -> str:
        """Warnings, breaches, escalations, clock stops (sla-monitor)."""
        return self._name("sla.v1")

    @property
    def inventory(self) -> str:
        return self._name("inventory.v1")

    @property
    def notify(self) -> str:
        return self._name("notify.v1")

    def dead_letter(self, consumer: str) -> str:
        return self._name(f"dlq.{consumer}")

    @property
    def all_public(self) -> list[str]:
        return [self.tickets, self.dispatch, self.sla, self.inventory, self.notify]
