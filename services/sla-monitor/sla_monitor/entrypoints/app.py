"""ASGI entry point: `uvicorn --factory sla_monitor.entrypoints.app:create_app`."""

from fastapi import FastAPI

from shared.app import create_service_app
from sla_monitor.bootstrap import build
from sla_monitor.config import Settings
from sla_monitor.entrypoints import catalog_routes, clock_routes


def create_app(settings: Settings | None = None) -> FastAPI:
    monitor = build(settings)
    app = create_service_app(
        monitor,
        title="ServicePact sla-monitor: clocks, calendars, warnings, breaches and escalations",
        routers=[catalog_routes.router, clock_routes.router],
    )
    app.state.timer = monitor.timer
    return app
