"""OAuth2 bearer JWTs verified against the identity provider's JWKS (PyJWT), plus the dev issuer's key."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWKClient

from shared.auth.principal import Principal, Role

ALGORITHMS = ["RS256", "ES256"]


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TrustedKey:
    issuer: str
    key: Any  # a public key object


class TokenVerifier:
    def __init__(
        self, *, audience: str, issuer: str | None = None, jwks_url: str | None = None,
        local_keys: tuple[TrustedKey, ...] = (),
    ) -> None:
        self.audience = audience
        self.issuer = issuer
        self.jwks = PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None
        self.local_keys = {trusted.issuer: trusted.key for trusted in local_keys}

    async def verify(self, token: str) -> Principal:
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
                token, key, algorithms=ALGORITHMS, audience=self.audience, issuer=issuer,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    raw_roles = claims.get("roles") or []
    roles = frozenset(Role(r) for r in raw_roles if r in Role._value2member_map_)
    subject = str(claims["sub"])
    technician_id = claims.get("technician_id") or (subject if Role.TECHNICIAN in roles else None)
    return Principal(
        subject=subject, roles=roles, client_id=str(claims.get("azp") or claims.get("client_id") or subject),
        region=claims.get("region"), technician_id=technician_id,
        scopes=frozenset(str(claims.get("scope", "")).split()),
    )
