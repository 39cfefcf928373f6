"""Intake, dispatch and the SLA monitor running together, each on its own database, one broker."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import dispatch.config
import dispatch.entrypoints.app
import httpx
import intake.config
import intake.entrypoints.app
import sla_monitor.config
import sla_monitor.entrypoints.app

from shared.testing.services import running_service, service_settings

SERVICES: dict[str, tuple[Any, Any]] = {  # name -> (settings class, app factory)
    "intake": (intake.config.Settings, intake.entrypoints.app.create_app),
    "dispatch": (dispatch.config.Settings, dispatch.entrypoints.app.create_app),
    "sla": (sla_monitor.config.Settings, sla_monitor.entrypoints.app.create_app),
}


@asynccontextmanager
async def running_stack(
    new_database: Callable[[], Awaitable[str]], bootstrap_servers: str, topic_prefix: str, key_file: Path
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A client per service ("intake", "dispatch", "sla"), every service started and ready."""
    async with AsyncExitStack() as stack:
        clients = {}
        for name, (settings_cls, create_app) in SERVICES.items():
            settings = service_settings(
                settings_cls,
                database_url=await new_database(),
                bootstrap_servers=bootstrap_servers,
                topic_prefix=topic_prefix,
                key_file=key_file,
            )
            clients[name] = await stack.enter_async_context(running_service(create_app, settings))
        yield clients
