"""ASGI entry point: `uvicorn --factory sla_monitor.entrypoints.app:create_app`."""

from fastapi import FastAPI

from shared.app import create_service_app
from sla_monitor.bootstrap import build
from sla_monitor.config import Settings
from sla_monitor.entrypoints import routes


def create_app(settings: Settings | None = None) -> FastAPI:
    runtime, monitor = build(settings)
    app = create_service_app(
        runtime,
        title="ServicePact sla-monitor: clocks, calendars, warnings, breaches and escalations",
        routers=[routes.router],
    )
    app.state.monitor = monitor
    app.state.catalog = monitor.catalog
    return app
