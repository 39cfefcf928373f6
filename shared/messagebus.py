"""Commands in, handlers run: the one way a route or a consumer changes anything.

A route or a consumer builds a command (a frozen dataclass of the service's `domain/commands.py`) and
hands it to the bus. The bus opens a unit of work (its own transaction, or the consumer's connection),
runs the command's one handler, and commits; a handler that lost an optimistic-concurrency race is
re-run from scratch on a fresh unit of work. Handlers never commit, open transactions or run SQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from shared.envelope import EventMetadata
from shared.unit_of_work import UnitOfWork, retry_on_conflict

Handler = Callable[[Any, Any], Awaitable[Any]]
"""`async def handler(command, uow) -> result`; `uow` is the service's unit of work."""

UnitOfWorkFactory = Callable[[EventMetadata, AsyncConnection | None], UnitOfWork]


class MessageBus:
    def __init__(self, uow_factory: UnitOfWorkFactory, handlers: Mapping[type, Handler]) -> None:
        self._uow_factory = uow_factory
        self._handlers = dict(handlers)

    def handles(self, command_type: type) -> bool:
        return command_type in self._handlers

    async def handle(
        self, command: Any, *, metadata: EventMetadata | None = None, conn: AsyncConnection | None = None
    ) -> Any:
        """Run `command` and commit; in a consumer pass `conn` (its transaction, committed by it)."""
        handler = self._handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        meta = metadata or EventMetadata()

        async def attempt() -> Any:
            async with self._uow_factory(meta, conn) as uow:
                result = await handler(command, uow)
                await uow.commit()
                return result

        if conn is not None:
            return await attempt()  # a conflict aborts the consumer's transaction: it retries the poll
        return await retry_on_conflict(attempt)
