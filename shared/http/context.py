"""Audit context of a request: who acted, which request (correlation id) it belongs to."""

from __future__ import annotations

from shared.auth.principal import Principal
from shared.envelope import EventMetadata
from shared.logs import correlation_id


def event_metadata(principal: Principal, causation_id: str | None = None) -> EventMetadata:
    return EventMetadata(
        correlation_id=correlation_id.get(), causation_id=causation_id, actor=principal.actor
    )
