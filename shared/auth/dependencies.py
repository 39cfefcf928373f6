"""One way to guard an endpoint: `Depends(Allow(Role.X, ...))`. Every non-public route must have one;
`unruled_routes(app)` lists those that don't (the endpoint-table test fails on any)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.routing import BaseRoute

from shared.auth import api_keys
from shared.auth.principal import Principal, Role
from shared.auth.rate_limit import RateLimiter, retry_after_header
from shared.auth.tokens import InvalidToken, TokenVerifier
from shared.http.problems import Problem

PUBLIC_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/metrics",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/asyncapi.json",
    }
)
_UNAUTHENTICATED = {"WWW-Authenticate": 'Bearer realm="servicepact"'}


class Authenticator:
    def __init__(self, verifier: TokenVerifier, engine: AsyncEngine, limiter: RateLimiter) -> None:
        self.verifier = verifier
        self.engine = engine
        self.limiter = limiter

    async def authenticate(self, request: Request) -> Principal:
        authorization = request.headers.get("authorization", "")
        api_key = request.headers.get("x-api-key")
        principal: Principal | None = None
        if authorization.lower().startswith("bearer "):
            try:
                principal = await self.verifier.verify(authorization[7:].strip())
            except InvalidToken as exc:
                raise Problem(
                    401,
                    "Invalid bearer token",
                    str(exc),
                    headers=_UNAUTHENTICATED,
                    type_="/problems/unauthenticated",
                ) from None
        elif api_key:
            principal = await api_keys.verify(self.engine, api_key)
            if principal is None:
                raise Problem(
                    401,
                    "Invalid or revoked API key",
                    headers=_UNAUTHENTICATED,
                    type_="/problems/unauthenticated",
                )
        else:
            raise Problem(
                401,
                "Authentication required",
                "send a bearer token or an X-API-Key",
                headers=_UNAUTHENTICATED,
                type_="/problems/unauthenticated",
            )
        wait = self.limiter.acquire(principal.client_id)
        if wait is not None:
            raise Problem(
                429, "Too many requests", headers=retry_after_header(wait), type_="/problems/rate-limited"
            )
        return principal


async def current_principal(request: Request) -> Principal:
    # FastAPI's per-request dependency cache makes this run once per request. (Not memoised on
    # request.state: that dict can outlive a request under some ASGI servers.)
    authenticator: Authenticator = request.app.state.authenticator
    return await authenticator.authenticate(request)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


class Allow:
    """The authorisation rule of one endpoint: which roles may call it."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(self.roles):
            raise Problem(
                403,
                "Forbidden",
                f"requires one of: {', '.join(sorted(self.roles))}",
                type_="/problems/forbidden",
            )
        return principal

    def __repr__(self) -> str:
        return f"Allow({', '.join(sorted(self.roles))})"


def _rule_in(dependant: Dependant) -> Allow | None:
    pending: list[Dependant] = [dependant]
    while pending:
        current = pending.pop()
        if isinstance(current.call, Allow):
            return current.call
        pending.extend(current.dependencies)
    return None


def _walk(
    routes: Iterable[BaseRoute], prefix: str = "", inherited: bool = False
) -> Iterator[tuple[str, APIRoute, bool]]:
    """(path, route, ruled by an include-level dependency) for every API route, nested routers too.

    FastAPI >= 0.16x keeps included routers as wrappers holding `original_router` and an
    `include_context` (prefix, dependencies) instead of flattening them into `app.routes`.
    """
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            context = route.include_context  # type: ignore[attr-defined]  # FastAPI's include wrapper
            ruled = inherited or any(isinstance(d.dependency, Allow) for d in context.dependencies)
            yield from _walk(original.routes, prefix + context.prefix, ruled)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route, inherited


def unruled_routes(app: FastAPI) -> list[str]:
    return [
        f"{sorted(route.methods or ())} {path}"
        for path, route, ruled in _walk(app.routes)
        if path not in PUBLIC_PATHS and not ruled and _rule_in(route.dependant) is None
    ]


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every API endpoint, for endpoint-table tests."""
    return sorted((method, path) for path, route, _ in _walk(app.routes) for method in route.methods or ())


def route_rules(app: FastAPI) -> dict[tuple[str, str], frozenset[str]]:
    """(method, path) -> the roles its rule allows, for every non-public endpoint (empty: unruled)."""
    rules: dict[tuple[str, str], frozenset[str]] = {}
    for path, route, _ruled in _walk(app.routes):
        if path in PUBLIC_PATHS:
            continue
        rule = _rule_in(route.dependant)
        for method in route.methods or ():
            rules[(method, path)] = frozenset(str(r) for r in rule.roles) if rule else frozenset()
    return rules
