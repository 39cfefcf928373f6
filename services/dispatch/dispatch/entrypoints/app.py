"""ASGI entry point: `uvicorn --factory dispatch.entrypoints.app:create_app`."""

from fastapi import FastAPI

from dispatch.bootstrap import build
from dispatch.config import Settings
from dispatch.entrypoints.routes import ROUTERS
from shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    dispatch = build(settings)
    app = create_service_app(
        dispatch,
        title="ServicePact dispatch: technicians, rosters, assignment, field work, escalations",
        routers=ROUTERS,
        larger_bodies={"PUT /roster": settings.roster_max_body_bytes},
    )
    app.state.maintenance = dispatch.planner  # its periodic step, run with a chosen date by tests
    return app
