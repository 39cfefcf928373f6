"""ASGI entry point: `uvicorn --factory intake.entrypoints.app:create_app`."""

from fastapi import FastAPI

from shared.app import create_service_app

from intake.bootstrap import build_runtime
from intake.config import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(build_runtime(settings), title="ServicePact intake: customer archive, tickets and entitlement")
