"""ASGI entry point: `uvicorn --factory notify.entrypoints.app:create_app`."""

from fastapi import FastAPI

from shared.app import create_service_app

from notify.bootstrap import build_runtime
from notify.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(build_runtime(settings), title="ServicePact notify: notifications and follow-up")
