"""/healthz (alive), /readyz (database and broker reachable), /metrics (Prometheus), correlation ids."""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest

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


def install_request_context(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def _context(request: Request, call_next):
        cid = request.headers.get(CORRELATION_HEADER) or str(uuid.uuid4())
        token = correlation_id.set(cid)
        started = time.perf_counter()
        try:
            response = await call_next(request)
        finally:
            correlation_id.reset(token)
        route = request.scope.get("route")
        REQUEST_SECONDS.labels(
            service, request.method, getattr(route, "path", "unmatched"), response.status_code
        ).observe(time.perf_counter() - started)
        response.headers[CORRELATION_HEADER] = cid
        return response
