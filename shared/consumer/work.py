"""One consumed message ready to apply, and how its handler is called (shared by the consumer and the
parking of early events, which re-applies messages it kept)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiokafka.structs import ConsumerRecord
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import Envelope
from shared.logs import correlation_id

Handler = Callable[[AsyncConnection, Any, Envelope], Awaitable[None]]


class ArrivedEarly(Exception):
    """Raised by a handler, before it writes anything: the event needs `key` (a ticket id) first."""

    def __init__(self, *, key: str, waiting_for: str) -> None:
        super().__init__(f"{waiting_for} for {key} not known yet")
        self.key = key
        self.waiting_for = waiting_for


class HandlerFailed(Exception):
    """Names the message whose handler raised (the cause is the handler's error)."""

    def __init__(self, item: Work) -> None:
        super().__init__(item.envelope.type)
        self.item = item


@dataclass(frozen=True, eq=False)
class Work:
    record: ConsumerRecord
    envelope: Envelope
    event: Any
    handler: Handler

    @property
    def event_id(self) -> str:
        return str(self.envelope.id)

    @property
    def keys(self) -> set[str]:
        """What parked events may wait for: the record key and the subject (both the ticket id)."""
        keys = {self.envelope.subject} if self.envelope.subject else set()
        if self.record.key:
            keys.add(self.record.key.decode(errors="replace"))
        return keys


async def handle(conn: AsyncConnection, item: Work) -> None:
    """Run the handler; ArrivedEarly passes as it is, any other error as HandlerFailed."""
    token = correlation_id.set(item.envelope.correlationid)
    try:
        await item.handler(conn, item.event, item.envelope)
    except ArrivedEarly:
        raise
    except Exception as exc:
        raise HandlerFailed(item) from exc
    finally:
        correlation_id.reset(token)
