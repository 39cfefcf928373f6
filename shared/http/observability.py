"""/healthz (alive), /readyz (database and broker reachable), /metrics (Prometheus), correlation ids."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logs import correlation_id

REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds", "HTTP request latency", ["service", "method", "route", "status"]
)
CORRELATION_HEADER = "X-Correlation-ID"

ReadinessCheck = Callable[[], Awaitable[bool]]


def observability_router(service: str, checks: dict[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", summary="Readiness: database and broker reachable")
    async def readyz() -> JSONResponse:
        results = {name: await check() for name, check in checks.items()}
        ready = all(results.values())
        return JSONResponse(
            {"status": "ready" if ready else "not ready", "service": service, "checks": results},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


class RequestContext:
    """Correlation id and latency histogram for every HTTP request (pure ASGI middleware).

    The id comes from the X-Correlation-ID request header (a fresh UUID otherwise), is set in the
    `correlation_id` context variable for the request's logs and events, and is echoed on the
    response. Pure ASGI rather than `@app.middleware("http")`: Starlette's BaseHTTPMiddleware runs the
    app in a separate task and streams the response through a queue, which costs noticeable CPU per
    request.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get(CORRELATION_HEADER, "")
        cid = given if 0 < len(given) <= 128 and given.isprintable() else str(uuid.uuid4())
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[CORRELATION_HEADER] = cid
            await send(message)

        token = correlation_id.set(cid)
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            correlation_id.reset(token)
        if status is not None:
            route = scope.get("route")
            REQUEST_SECONDS.labels(
                self.service, scope["method"], getattr(route, "path", "unmatched"), status
            ).observe(time.perf_counter() - started)


def install_request_context(app: FastAPI, service: str) -> None:
    app.add_middleware(RequestContext, service=service)
