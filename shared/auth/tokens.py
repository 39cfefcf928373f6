"""OAuth2 bearer JWTs verified against the identity provider's JWKS (PyJWT), plus the dev issuer's key."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKClient

from shared.auth.principal import Principal, Role

ALGORITHMS = ["RS256", "ES256"]


VERIFIED_CACHE_SIZE = 4096


class InvalidToken(Exception):
    pass


class _VerifiedTokens:
    """Bounded LRU of tokens that passed verification, each kept only until its `exp`.

    A client sends the same bearer token with every request until it expires; verifying it once is
    enough, since nothing a verified token says can change. Expiry is checked on every hit the way
    PyJWT checks it (valid while now < exp, no leeway), so an expired token is refused as before.
    Only successes are cached: an invalid token is verified (and refused) every time.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[Principal, float]] = OrderedDict()

    def get(self, token: str) -> Principal | None:
        entry = self._entries.get(token)
        if entry is None:
            return None
        principal, expires_at = entry
        if time.time() >= expires_at:
            del self._entries[token]
            return None
        self._entries.move_to_end(token)
        return principal

    def put(self, token: str, principal: Principal, *, expires_at: float) -> None:
        self._entries[token] = (principal, expires_at)
        self._entries.move_to_end(token)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


@dataclass(frozen=True)
class TrustedKey:
    issuer: str
    key: Any  # a public key object


class TokenVerifier:
    def __init__(
        self,
        *,
        audience: str,
        issuer: str | None = None,
        jwks_url: str | None = None,
        local_keys: tuple[TrustedKey, ...] = (),
    ) -> None:
        self.audience = audience
        self.issuer = issuer
        self.jwks = PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self.local_keys = {trusted.issuer: trusted.key for trusted in local_keys}
        self._verified = _VerifiedTokens(VERIFIED_CACHE_SIZE)

    async def verify(self, token: str) -> Principal:
        """The token's principal; a token already verified is answered from the cache until it expires."""
        cached = self._verified.get(token)
        if cached is not None:
            return cached
        claims = await self._verified_claims(token)
        principal = principal_from_claims(claims)
        self._verified.put(token, principal, expires_at=int(claims["exp"]))
        return principal

    async def _verified_claims(self, token: str) -> dict[str, Any]:
        """Signature, issuer, audience and expiry checked (RS256 verification costs ~1 ms of CPU)."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            issuer = unverified.get("iss")
            if issuer in self.local_keys:
                key = self.local_keys[issuer]
            elif self.jwks is not None and issuer == self.issuer:
                key = (await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)).key
            else:
                raise InvalidToken("untrusted issuer")
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        return claims


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    raw_roles = claims.get("roles") or []
    roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
    subject = str(claims["sub"])
    technician_id = claims.get("technician_id") or (subject if Role.TECHNICIAN in roles else None)
    return Principal(
        subject=subject,
        roles=roles,
        client_id=str(claims.get("azp") or claims.get("client_id") or subject),
        region=claims.get("region"),
        technician_id=technician_id,
        scopes=frozenset(str(claims.get("scope", "")).split()),
    )
