"""ASGI entry point: `uvicorn --factory sla_monitor.entrypoints.app:create_app`."""

from fastapi import FastAPI

from shared.app import create_service_app

from sla_monitor.bootstrap import build_runtime
from sla_monitor.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(build_runtime(settings), title="ServicePact sla-monitor: sla clocks, calendars, warnings, breaches and escalations")
