"""Group commit: concurrent commands of one kind share a transaction and one statement per table.

A call center posting hundreds of tickets a minute sends many small, independent commands at once.
Run one at a time, each pays its own BEGIN, COMMIT and a round trip per statement; the CPU spent on
that (in the service and in PostgreSQL) is what limits throughput, not the disk. `GroupCommit` queues
the commands that arrive while a transaction is in flight and hands them to `flush` together, which
writes them with one multi-row statement per table.

Nothing is acknowledged early: `submit` returns only after the transaction holding the command has
committed. `flush` returns one outcome per item, in order: a value, or the exception that item's
caller should get (a domain refusal, say) while the others go ahead. If `flush` raises, or the server
refuses the commit, the group was rolled back and each item is re-run alone, so a poison item fails
only its own caller. If the connection is lost while COMMIT is in flight, nobody knows whether the
group was applied: re-running it could apply every command twice, so each caller gets
`CommitOutcomeUnknown` (an explicit 503 problem) instead. No timer: the first command starts a
transaction at once; batches form only under load.
Items with the same `conflict_key` (an idempotency key, say) never share a group: the later one waits
for the next group, where it sees what the earlier one committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

from prometheus_client import Histogram
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.commit_outcome import committing
from shared.errors import CommitOutcomeUnknown

log = logging.getLogger(__name__)

I = TypeVar("I")  # noqa: E741 - the item type
R = TypeVar("R")

Flush = Callable[[AsyncConnection, Sequence[I]], Awaitable[Sequence[R | BaseException]]]

GROUP_SIZE = Histogram(
    "group_commit_size",
    "Commands committed together",
    ["group"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)


class GroupCommit(Generic[I, R]):
    def __init__(
        self,
        name: str,
        engine: Callable[[], AsyncEngine],
        flush: Flush,
        *,
        conflict_key: Callable[[I], Hashable | None] = lambda item: None,
        max_group: int = 128,
        max_in_flight: int = 2,
        one_statement: bool = False,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.engine = engine
        self.flush = flush
        self.conflict_key = conflict_key
        self.max_group = max_group
        self.max_in_flight = max_in_flight  # one group commits while the next one is built
        self.on_commit = on_commit
        # A flush that is a single statement needs no BEGIN/COMMIT round trips: PostgreSQL runs a
        # lone statement atomically, and commits it before answering.
        self.one_statement = one_statement
        self._queue: list[tuple[I, asyncio.Future[R]]] = []
        self._in_flight = 0
        self._drains: set[asyncio.Task] = set()

    async def submit(self, item: I) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._in_flight < self.max_in_flight:
            self._in_flight += 1
            drain = asyncio.create_task(self._drain())
            self._drains.add(drain)
            drain.add_done_callback(self._drains.discard)
        return await asyncio.shield(future)  # a cancelled caller must not cancel the others' group

    async def _drain(self) -> None:
        try:
            while self._queue:
                await self._commit_group(self._next_group())
        finally:
            self._in_flight -= 1

    def _next_group(self) -> list[tuple[I, asyncio.Future[R]]]:
        group: list[tuple[I, asyncio.Future[R]]] = []
        rest: list[tuple[I, asyncio.Future[R]]] = []
        keys: set[object] = set()
        for entry in self._queue:
            key = self.conflict_key(entry[0])
            if len(group) >= self.max_group or (key is not None and key in keys):
                rest.append(entry)
                continue
            group.append(entry)
            if key is not None:
                keys.add(key)
        self._queue = rest
        return group

    async def _commit_group(self, group: list[tuple[I, asyncio.Future[R]]]) -> None:
        GROUP_SIZE.labels(self.name).observe(len(group))
        try:
            outcomes = await self._run([item for item, _ in group])
        except CommitOutcomeUnknown as unknown:
            log.error(
                "group commit lost its connection while committing; outcome unknown",
                extra={"group": self.name, "size": len(group), "error": repr(unknown.__cause__)},
            )
            for _, future in group:
                _settle(future, CommitOutcomeUnknown(f"{self.name} command"))
            return
        except Exception as exc:
            if len(group) == 1:
                _settle(group[0][1], exc)
                return
            log.warning(
                "group commit failed; re-running its commands one by one",
                extra={"group": self.name, "size": len(group), "error": repr(exc)},
            )
            for entry in group:
                await self._commit_group([entry])
            return
        for (_, future), outcome in zip(group, outcomes, strict=True):
            _settle(future, outcome)

    async def _run(self, items: list[I]) -> Sequence[R | BaseException]:
        """The outcomes; raises what the group's callers face: an error that certainly rolled the
        group back (safe to re-run its items), or `CommitOutcomeUnknown`."""
        async with self.engine().connect() as conn:
            if self.one_statement:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                with committing(f"{self.name} command"):  # the statement is its own commit
                    outcomes = await self.flush(conn, items)
            else:
                transaction = await conn.begin()
                try:
                    outcomes = await self.flush(conn, items)
                except BaseException:  # before COMMIT: nothing was applied, whatever the error
                    await _quietly_roll_back(transaction)
                    raise
                with committing(f"{self.name} command"):
                    await transaction.commit()
        if self.on_commit is not None:
            self.on_commit()
        return outcomes


def _settle(future: asyncio.Future, outcome: object) -> None:
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


async def _quietly_roll_back(transaction) -> None:
    try:
        await transaction.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the server rolls back without it
        log.warning("group commit could not roll back (connection lost?)", exc_info=True)
