"""ASGI entry point: `uvicorn --factory dispatch.entrypoints.app:create_app`."""

from fastapi import FastAPI

from shared.app import create_service_app

from dispatch.bootstrap import build_runtime
from dispatch.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(build_runtime(settings), title="ServicePact dispatch: technicians, rosters, assignment and field work")
