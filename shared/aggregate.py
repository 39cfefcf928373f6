"""The one base of every event-sourced aggregate: record, apply, replay, version.

Plain Python (standard library only), so any service's domain may import it. An aggregate is rebuilt
from its own stream and nothing else: whatever it needs later must be in one of its events.

    class Ticket(Aggregate):
        def _apply(self, event): ...          # the only place state changes
        def classify(self, ...):              # a command: validate, then record
            self._record(TicketClassified(...))

The unit of work takes what an aggregate recorded with `collect_events()`; nothing else clears it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Self


class Aggregate:
    def __init__(self) -> None:
        self.version = 0  # events applied so far = the stream's version
        self.pending_events: list[Any] = []

    @classmethod
    def replay(cls, events: Iterable[Any]) -> Self:
        """The aggregate as its stored events left it (nothing recorded)."""
        aggregate = cls()
        for event in events:
            aggregate._mutate(event)
        return aggregate

    @property
    def stored_version(self) -> int:
        """The stream version the new events must follow (optimistic concurrency)."""
        return self.version - len(self.pending_events)

    def collect_events(self) -> list[Any]:
        """The events recorded since the last collection, handed to the unit of work once."""
        collected, self.pending_events = self.pending_events, []
        return collected

    def _record(self, event: Any) -> None:
        self._mutate(event)
        self.pending_events.append(event)

    def _mutate(self, event: Any) -> None:
        self._apply(event)
        self.version += 1

    def _apply(self, event: Any) -> None:
        raise NotImplementedError(f"{type(self).__name__} does not apply {type(event).__name__}")
