"""Idempotent commands: a retried request (same key, same body) gets the first answer, writes nothing.

Insert-first, in the command's own transaction: concurrent retries of one key block on the primary
key until the first commits, then read its stored answer. Same key with a different body is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection


class IdempotencyKeyReused(Exception):
    """The key was already used for a different request."""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: Any


def request_fingerprint(payload: Any) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class KeyUse:
    scope: str
    key: str
    fingerprint: str


# One statement for any number of keys (group commit): the keys this insert created are returned.
_CLAIM = text(
    """
    INSERT INTO idempotency_keys (scope, key, request_hash)
    SELECT * FROM unnest(CAST(:scopes AS text[]), CAST(:keys AS text[]), CAST(:hashes AS text[]))
    ON CONFLICT DO NOTHING
    RETURNING scope, key
    """
)
_STORED = text(
    """
    SELECT i.scope, i.key, i.request_hash, i.status, i.body
    FROM idempotency_keys i
    JOIN unnest(CAST(:scopes AS text[]), CAST(:keys AS text[])) AS u(scope, key)
      ON i.scope = u.scope AND i.key = u.key
    """
)
_REMEMBER = text(
    """
    UPDATE idempotency_keys i SET status = u.status, body = u.body::jsonb
    FROM unnest(CAST(:scopes AS text[]), CAST(:keys AS text[]), CAST(:statuses AS int[]),
                CAST(:bodies AS text[])) AS u(scope, key, status, body)
    WHERE i.scope = u.scope AND i.key = u.key
    """
)

_RELEASE = text(
    """
    DELETE FROM idempotency_keys i
    USING unnest(CAST(:scopes AS text[]), CAST(:keys AS text[])) AS u(scope, key)
    WHERE i.scope = u.scope AND i.key = u.key AND i.status IS NULL
    """
)

Claim = StoredResponse | IdempotencyKeyReused | None


async def claim(conn: AsyncConnection, *, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """None: this request owns the key, go ahead. Otherwise: the answer given the first time."""
    (outcome,) = await claim_many(conn, [KeyUse(scope, key, fingerprint)])
    if isinstance(outcome, IdempotencyKeyReused):
        raise outcome
    return outcome


async def claim_many(conn: AsyncConnection, uses: Sequence[KeyUse]) -> list[Claim]:
    """Per use: None (owned now), the first answer, or IdempotencyKeyReused. Keys must be distinct."""
    if not uses:
        return []
    scopes, keys = [u.scope for u in uses], [u.key for u in uses]
    claimed = await conn.execute(
        _CLAIM, {"scopes": scopes, "keys": keys, "hashes": [u.fingerprint for u in uses]}
    )
    owned = {(row.scope, row.key) for row in claimed}
    stored = {}
    if len(owned) < len(uses):
        rows = await conn.execute(_STORED, {"scopes": scopes, "keys": keys})
        stored = {(row.scope, row.key): row for row in rows}
    outcomes: list[Claim] = []
    for use in uses:
        if (use.scope, use.key) in owned:
            outcomes.append(None)
            continue
        row = stored[(use.scope, use.key)]
        if row.request_hash != use.fingerprint:
            outcomes.append(IdempotencyKeyReused(use.key))
        else:
            outcomes.append(StoredResponse(row.status, row.body))
    return outcomes


async def release_many(conn: AsyncConnection, uses: Sequence[KeyUse]) -> None:
    """Give back keys claimed in this transaction for requests that were refused after all."""
    if uses:
        await conn.execute(_RELEASE, {"scopes": [u.scope for u in uses], "keys": [u.key for u in uses]})


async def remember(conn: AsyncConnection, *, scope: str, key: str, status: int, body: Any) -> None:
    await remember_many(conn, [(KeyUse(scope, key, ""), StoredResponse(status, body))])


async def remember_many(conn: AsyncConnection, answers: Sequence[tuple[KeyUse, StoredResponse]]) -> None:
    if not answers:
        return
    await conn.execute(
        _REMEMBER,
        {
            "scopes": [use.scope for use, _ in answers],
            "keys": [use.key for use, _ in answers],
            "statuses": [answer.status for _, answer in answers],
            "bodies": [json.dumps(answer.body, default=str) for _, answer in answers],
        },
    )
