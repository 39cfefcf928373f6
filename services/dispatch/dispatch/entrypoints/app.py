"""ASGI entry point: `uvicorn --factory dispatch.entrypoints.app:create_app`."""

from fastapi import FastAPI

from dispatch.bootstrap import build
from dispatch.config import Settings
from dispatch.entrypoints import routes
from shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    runtime, dispatcher, technicians, maintenance = build(settings)
    app = create_service_app(
        runtime,
        title="ServicePact dispatch: technicians, rosters, assignment, field work, escalations",
        routers=[routes.router],
    )
    app.state.dispatcher = dispatcher
    app.state.technicians = technicians
    app.state.directory = dispatcher.directory
    app.state.maintenance = maintenance
    return app
