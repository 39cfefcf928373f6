"""API keys for machine clients: shown once, stored as a SHA-256 hash, revocable at once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.auth.principal import Principal, Role
from shared.eventstore.tables import api_keys

PREFIX = "spk"


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    plaintext: str  # returned once, never stored


def _hash(secret: str) -> bytes:
    # Keys are 256-bit random secrets, so a fast hash is enough (no password stretching needed).
    return hashlib.sha256(secret.encode()).digest()


async def issue(engine: AsyncEngine, *, client_id: str, roles: list[Role], region: str | None) -> IssuedKey:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    async with engine.begin() as conn:
        await conn.execute(
            insert(api_keys).values(
                key_id=key_id,
                key_hash=_hash(secret),
                client_id=client_id,
                roles=[str(r) for r in roles],
                region=region,
            )
        )
    return IssuedKey(key_id, f"{PREFIX}_{key_id}_{secret}")


async def revoke(engine: AsyncEngine, key_id: str) -> bool:
    async with engine.begin() as conn:
        result = await conn.execute(
            update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )
    return result.rowcount == 1


async def verify(engine: AsyncEngine, plaintext: str) -> Principal | None:
    """Looked up on every request (by primary key): a revoked key stops working immediately."""
    prefix, _, rest = plaintext.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        return None
    async with engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(api_keys).where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                )
            )
            .mappings()
            .first()
        )
    if row is None or not hmac.compare_digest(row["key_hash"], _hash(secret)):
        return None
    return Principal(
        subject=row["client_id"],
        client_id=row["client_id"],
        region=row["region"],
        roles=frozenset(Role(r) for r in row["roles"] if r in Role._value2member_map_),
    )
