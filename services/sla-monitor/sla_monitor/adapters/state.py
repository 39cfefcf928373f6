"""A ticket's clock state as JSON (PostgreSQL JSONB) and back."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from sla_monitor.domain.clocks import SlaTicket

_ADAPTER = TypeAdapter(SlaTicket)


def dump_state(ticket: SlaTicket) -> dict[str, Any]:
    return _ADAPTER.dump_python(ticket, mode="json")


def dump_state_json(ticket: SlaTicket) -> str:
    """The same document as JSON text, encoded in one pass (for batched writes that cast it to JSONB)."""
    return _ADAPTER.dump_json(ticket).decode()


def load_state(data: dict[str, Any]) -> SlaTicket:
    return _ADAPTER.validate_python(data)


def load_state_json(text: str) -> SlaTicket:
    """From the stored JSON text, parsed and validated in one pass (for batched reads)."""
    return _ADAPTER.validate_json(text)
