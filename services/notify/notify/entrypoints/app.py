"""ASGI entry point: `uvicorn --factory notify.entrypoints.app:create_app`."""

from fastapi import FastAPI

from notify.bootstrap import build
from notify.config import Settings
from shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(build(settings), title="ServicePact notify: notifications and follow-up")
