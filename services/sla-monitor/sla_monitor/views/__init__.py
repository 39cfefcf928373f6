"""Read-only queries for the routes (and the timer's idle wait): each opens `engine.connect()` and
answers plain data; nothing here writes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.eventstore import EventStore
from sla_monitor.adapters.catalog import Catalog


@dataclass(frozen=True)
class Reader:
    """What the views read from: the database, the SLA event streams, the in-memory catalog."""

    engine_of: Callable[[], AsyncEngine]  # the engine exists once the runtime has started
    store: EventStore
    catalog: Catalog

    @property
    def engine(self) -> AsyncEngine:
        return self.engine_of()
