"""FastAPI dependency aliases every service's routes use (the service adds its own `ViewsDep`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from shared.messagebus import MessageBus
from shared.runtime import ServiceRuntime


def _bus(request: Request) -> MessageBus:
    bus: MessageBus = request.app.state.bus
    return bus


def _runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


BusDep = Annotated[MessageBus, Depends(_bus)]
RuntimeDep = Annotated[ServiceRuntime, Depends(_runtime)]
