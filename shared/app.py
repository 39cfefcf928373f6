"""FastAPI application factory: the same plumbing on every service."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from shared.http.observability import install_request_context, observability_router
from shared.http.problems import install_problem_handlers
from shared.runtime import ServiceRuntime


def create_service_app(
    runtime: ServiceRuntime, *, title: str, routers: Sequence[APIRouter] = (), version: str = "0.1.0"
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    install_problem_handlers(app)
    install_request_context(app, runtime.settings.service_name)
    app.include_router(
        observability_router(
            runtime.settings.service_name,
            {"database": runtime.database_ready, "broker": runtime.broker_ready},
        )
    )
    for router in routers:
        app.include_router(router)
    return app
