"""ASGI entry point: `uvicorn --factory inventory.entrypoints.app:create_app`."""

from fastapi import FastAPI

from inventory.bootstrap import build
from inventory.config import Settings
from shared.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        build(settings), title="ServicePact inventory: spare parts, stock and loaner units"
    )
