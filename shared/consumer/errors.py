"""Which handler failures are worth waiting out, and which are the event's own fault.

A transient failure says nothing about the event: a deadlock, a lock or statement timeout, a lost
connection, a stream written by someone else a moment before. Applying the same event again a little
later succeeds, so the consumer retries it with back-off and keeps its partition waiting (a later
event for the same ticket must not overtake it). Anything else is treated as deterministic: retried
a few times in case, then dead-lettered with the reason, so one bad event cannot stop a partition.

The SQLSTATE is read from the exception chain, so it works for asyncpg's own errors and for the
DBAPI errors SQLAlchemy wraps them in.
"""

from __future__ import annotations

import asyncio

from sqlalchemy import exc as sa_exc

from shared.errors import ConcurrencyConflict

# Whole SQLSTATE classes: connection exception, insufficient resources (e.g. too many connections),
# operator intervention (admin shutdown, cannot connect now, query canceled / statement timeout).
TRANSIENT_SQLSTATE_CLASSES = frozenset({"08", "53", "57"})
TRANSIENT_SQLSTATES = frozenset(
    {
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected
        "55P03",  # lock_not_available (lock_timeout, NOWAIT)
        "57014",  # query_canceled (statement_timeout)
        "25P04",  # idle_in_transaction_session_timeout (transaction_timeout since PostgreSQL 17)
    }
)
# Class 57 holds 57P04 database_dropped and 57P05 idle_session_timeout: only the first is permanent.
DETERMINISTIC_SQLSTATES = frozenset({"57P04"})
_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    ConcurrencyConflict,
    ConnectionError,  # refused, reset, broken pipe (asyncpg's lost connection carries SQLSTATE 08003)
    TimeoutError,  # asyncio.timeout, socket timeouts
    asyncio.TimeoutError,
    sa_exc.TimeoutError,  # pool exhausted for pool_timeout seconds
    sa_exc.DisconnectionError,
)


def sqlstate(error: BaseException) -> str | None:
    """The first SQLSTATE found along the exception's causes (asyncpg: `sqlstate`, adapters: `pgcode`)."""
    for link in _chain(error):
        code = getattr(link, "sqlstate", None) or getattr(link, "pgcode", None)
        if isinstance(code, str) and len(code) == 5:
            return code
    return None


def is_transient(error: BaseException) -> bool:
    """True if applying the same event again later can succeed without anyone changing anything."""
    code = sqlstate(error)
    if code is not None:
        if code in DETERMINISTIC_SQLSTATES:
            return False
        return code in TRANSIENT_SQLSTATES or code[:2] in TRANSIENT_SQLSTATE_CLASSES
    for link in _chain(error):
        if isinstance(link, _TRANSIENT_TYPES):
            return True
        if isinstance(link, sa_exc.DBAPIError) and link.connection_invalidated:
            return True
    return False


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    link: BaseException | None = error
    while link is not None and link not in seen and len(seen) < 16:
        seen.append(link)
        orig = getattr(link, "orig", None)  # SQLAlchemy's DBAPIError keeps the driver's error here
        # Causes only, not __context__: an error raised while handling a deadlock is not a deadlock.
        link = orig if isinstance(orig, BaseException) else link.__cause__
    return seen
