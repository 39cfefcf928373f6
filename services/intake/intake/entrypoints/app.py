"""ASGI entry point: `uvicorn --factory intake.entrypoints.app:create_app`."""

from fastapi import FastAPI

from intake.bootstrap import build
from intake.config import Settings
from intake.entrypoints import archive_routes, complaint_routes, ticket_change_routes, ticket_routes
from shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    app = create_service_app(
        build(settings),
        title="ServicePact intake: customer archive, tickets and entitlement",
        routers=[
            archive_routes.router,
            ticket_routes.router,
            ticket_change_routes.router,
            complaint_routes.router,
        ],
    )
    return app
