"""Run a service app in-process against the test broker and database, with dev-issuer tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from shared.auth.dev_issuer import load_or_create_key, mint
from shared.settings import ServiceSettings


class Tokens:
    """Mints development tokens signed by the key the service under test trusts."""

    def __init__(self, key_file: Path) -> None:
        self.key = load_or_create_key(key_file)

    def __call__(self, *roles: str, sub: str | None = None, **claims: Any) -> dict[str, str]:
        token = mint(
            self.key, subject=sub or f"user-{'-'.join(roles) or 'none'}", roles=list(roles), **claims
        )
        return {"Authorization": f"Bearer {token}"}


def service_settings(
    settings_cls: type[ServiceSettings],
    *,
    database_url: str,
    bootstrap_servers: str,
    topic_prefix: str,
    key_file: Path,
    **overrides: Any,
) -> ServiceSettings:
    return settings_cls(
        database_url=database_url,
        kafka_bootstrap_servers=bootstrap_servers,
        kafka_topic_prefix=topic_prefix,
        kafka_topic_partitions=3,
        auth_dev_issuer=True,
        auth_dev_key_file=str(key_file),
        **{"kafka_idempotent_producer": False, **overrides},  # Tansu has no idempotent producer
    )


@asynccontextmanager
async def running_service(
    create_app: Callable[[ServiceSettings], FastAPI], settings: ServiceSettings
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            client.app = app  # type: ignore[attr-defined]
            yield client
