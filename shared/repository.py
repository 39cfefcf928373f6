"""An event-sourced repository: where one aggregate type's streams are, and what they are called.

Each service declares one per aggregate in its `adapters/repositories.py`; the repository owns the
stream id, stream type and Kafka key, so nothing above it spells them. Loading goes through the unit
of work, which remembers the aggregate so `commit()` can append what it records.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from shared.aggregate import Aggregate
from shared.unit_of_work import UnitOfWork

A = TypeVar("A", bound=Aggregate)


class Repository(Generic[A]):
    aggregate_type: ClassVar[type[Aggregate]]  # the Aggregate subclass
    stream_type: ClassVar[str]

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def stream_id(self, aggregate_id: str) -> str:
        """The stream of an aggregate id (default: the id itself)."""
        return aggregate_id

    def id_of(self, aggregate: A) -> str:
        raise NotImplementedError

    def key_of(self, aggregate: A) -> str | None:
        """Kafka key and CloudEvents subject of its events (default: the stream id)."""
        return None

    async def get(self, aggregate_id: str, *, as_of: datetime | None = None) -> A | None:
        """The aggregate as stored (as it stood at `as_of`, read only), or None if it has no stream."""
        stream_id = self.stream_id(aggregate_id)
        if as_of is None:
            known = self._uow.tracked(stream_id)
            if known is not None:
                return known  # type: ignore[return-value]
        history = await self._uow.read_stream(stream_id, as_of=as_of)
        if not history:
            return None
        aggregate: A = self.aggregate_type.replay(history)  # type: ignore[assignment]
        if as_of is None:
            self._track(aggregate)
        return aggregate

    def add(self, aggregate: A) -> None:
        """A new aggregate: its recorded events become its stream at commit."""
        self._track(aggregate)

    def _track(self, aggregate: A) -> None:
        self._uow.track(
            aggregate,
            stream_id=self.stream_id(self.id_of(aggregate)),
            stream_type=self.stream_type,
            key=self.key_of(aggregate),
        )
