"""The relay's leadership, proven inside the statements that read and mark outbox rows.

Why not a periodic check: a relay whose lock session died (terminated backend, network cut) keeps
reading and marking on *other* pooled connections until its next check, while a new leader already
runs. So every read and every mark carries the fence: the advisory lock must still be granted to the
backend pid that took it (`pg_locks`), evaluated by PostgreSQL in the same statement. Once the lock
session is gone, the old leader's next read returns "not leading" and it stops; its mark of a batch
read just before the loss finds no lock and marks nothing (the new leader re-publishes that batch,
and consumers de-duplicate by event id).

Why not a transaction-scoped lock (`pg_advisory_xact_lock` held across a pass): it would hold a
transaction open while waiting on the broker, and a candidate would take over between any two passes.

Keepalives: a leader host lost without a TCP reset keeps its session, and so the lock, until the
server notices; the default (tcp_keepalives_idle from the OS: 2 hours) would stop the outbox that
long. The lock session sets short server-side keepalives and a TCP user timeout, and the relay's own
socket gets the same, so both ends learn of a dead peer in well under a minute.
"""

from __future__ import annotations

import socket

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Holds when `:pid` still has the advisory lock `:key` (< 2**32: classid 0, objid key, objsubid 1
# for a single bigint key), or when the caller leads by no lock (a one-off drain, a test).
LEADING = """
    (CAST(:pid AS int) IS NULL OR EXISTS (
        SELECT FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND pid = CAST(:pid AS int)
          AND classid = 0 AND objid = CAST(CAST(:key AS bigint) AS oid) AND objsubid = 1))
"""

KEEPALIVE_IDLE_S = 10
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_COUNT = 3
USER_TIMEOUT_MS = 30_000


async def set_keepalives(
    conn: AsyncConnection,
    *,
    idle_s: int = KEEPALIVE_IDLE_S,
    interval_s: int = KEEPALIVE_INTERVAL_S,
    count: int = KEEPALIVE_COUNT,
    user_timeout_ms: int = USER_TIMEOUT_MS,
) -> None:
    """Short TCP keepalives on both ends of `conn`'s session (see the module docstring)."""
    for name, value in (
        ("tcp_keepalives_idle", idle_s),
        ("tcp_keepalives_interval", interval_s),
        ("tcp_keepalives_count", count),
        ("tcp_user_timeout", user_timeout_ms),
    ):
        await conn.execute(text(f"SET {name} = {int(value)}"))
    await conn.commit()
    driver = (await conn.get_raw_connection()).driver_connection
    transport = getattr(driver, "_transport", None)
    sock = (
        transport.get_extra_info("socket") if transport is not None else None
    )  # asyncpg has no keepalive option of its own
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return  # a Unix socket has no peer to lose
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle_s)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, interval_s)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, count)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, user_timeout_ms)
