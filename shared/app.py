"""FastAPI application factory: the same plumbing on every service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI

from shared.auth import admin_routes as api_key_routes
from shared.auth import dev_issuer
from shared.auth.dependencies import Authenticator
from shared.auth.rate_limit import RateLimiter
from shared.auth.tokens import TokenVerifier, TrustedKey
from shared.http.limits import BodyLimits, BodySizeLimit
from shared.http.observability import install_request_context, observability_router
from shared.http.openapi import install_problem_openapi
from shared.http.problems import install_problem_handlers
from shared.http.text_guard import RefuseNul, refuse_nul_in_path
from shared.runtime import ServiceRuntime
from shared.wiring import Wiring


def create_service_app(
    wiring: Wiring,
    *,
    title: str,
    routers: Sequence[APIRouter] = (),
    version: str = "0.1.0",
    larger_bodies: Mapping[str, int] | None = None,
) -> FastAPI:
    """`larger_bodies`: "METHOD /path" -> a body limit above the service's `max_body_bytes` for the
    few operations whose valid documents need it (see shared.http.limits)."""
    runtime = wiring.runtime

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await runtime.start()
        app.state.authenticator = build_authenticator(runtime)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, version=version, lifespan=lifespan, dependencies=[Depends(refuse_nul_in_path)])
    app.state.runtime = runtime
    app.state.bus = wiring.bus
    app.state.views = wiring.views
    install_problem_handlers(app)
    install_problem_openapi(app)
    app.add_middleware(RefuseNul)  # inside the size limit: it reads only bounded bodies
    app.state.body_limits = BodyLimits(runtime.settings.max_body_bytes, dict(larger_bodies or {}))
    app.add_middleware(BodySizeLimit, limits=app.state.body_limits)
    install_request_context(app, runtime.settings.service_name)
    app.include_router(
        observability_router(
            runtime.settings.service_name,
            {"database": runtime.database_ready, "broker": runtime.broker_ready},
        )
    )
    for router in (*routers, api_key_routes.router):
        app.include_router(router)

    @app.get("/asyncapi.json", tags=["operations"], summary="AsyncAPI 3.0: topics and event schemas")
    async def asyncapi() -> dict:
        return runtime.asyncapi(version)

    return app


def build_authenticator(runtime: ServiceRuntime) -> Authenticator:
    settings = runtime.settings
    local_keys: tuple[TrustedKey, ...] = ()
    if settings.auth_dev_issuer:
        key = dev_issuer.load_or_create_key(Path(settings.auth_dev_key_file))
        local_keys = (TrustedKey(dev_issuer.DEV_ISSUER, key.public_key()),)
    verifier = TokenVerifier(
        audience=settings.auth_audience,
        issuer=settings.auth_issuer,
        jwks_url=settings.auth_jwks_url,
        local_keys=local_keys,
    )
    return Authenticator(verifier, runtime.engine, RateLimiter(settings.rate_limit_per_minute))
