"""Idempotent commands: a retried request (same key, same body) gets the first answer, writes nothing.

Insert-first, in the command's own transaction: concurrent retries of one key block on the primary
key until the first commits, then read its stored answer. Same key with a different body is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.eventstore.tables import idempotency_keys


class IdempotencyKeyReused(Exception):
    """The key was already used for a different request."""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any


def request_fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


# Built once: every idempotent command runs them, and rebuilding (and re-keying for SQLAlchemy's
# compiled cache) a statement per call costs more CPU than the round trip it describes.
_CLAIM = (
    insert(idempotency_keys)
    .values(scope=bindparam("scope"), key=bindparam("key"), request_hash=bindparam("request_hash"))
    .on_conflict_do_nothing()
    .returning(idempotency_keys.c.key)
)
_STORED = select(idempotency_keys.c.request_hash, idempotency_keys.c.status, idempotency_keys.c.body).where(
    idempotency_keys.c.scope == bindparam("scope"), idempotency_keys.c.key == bindparam("key")
)
_REMEMBER = (
    update(idempotency_keys)
    .where(idempotency_keys.c.scope == bindparam("the_scope"), idempotency_keys.c.key == bindparam("the_key"))
    .values(status=bindparam("status"), body=bindparam("body"))
)


async def claim(conn: AsyncConnection, *, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """None: this request owns the key, go ahead. Otherwise: the answer given the first time."""
    inserted = await conn.execute(_CLAIM, {"scope": scope, "key": key, "request_hash": fingerprint})
    if inserted.first() is not None:
        return None
    row = (await conn.execute(_STORED, {"scope": scope, "key": key})).one()
    if row.request_hash != fingerprint:
        raise IdempotencyKeyReused(key)
    return StoredResponse(row.status, row.body)


async def remember(conn: AsyncConnection, *, scope: str, key: str, status: int, body: Any) -> None:
    await conn.execute(_REMEMBER, {"the_scope": scope, "the_key": key, "status": status, "body": body})
