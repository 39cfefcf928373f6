"""Helpers for the SLA fault tests: a started SLA monitor runtime (no consumer, relay or timer unless
asked) on the real PostgreSQL and broker, and inbound events as the consumer turns them into commands."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sla_monitor.adapters.translate import clock_input
from sla_monitor.bootstrap import SlaMonitor, build, build_registry
from sla_monitor.config import Settings
from sla_monitor.domain.commands import ApplyTicketInput

from shared.testing.services import service_settings

REGISTRY = build_registry()


@asynccontextmanager
async def started_monitor(
    database_url: str, bootstrap_servers: str, topic_prefix: str, key_file: Any, **overrides: Any
) -> AsyncIterator[SlaMonitor]:
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=key_file,
        **{"consumers_enabled": False, "relay_enabled": False, "timers_enabled": False, **overrides},
    )
    assert isinstance(settings, Settings)
    monitor = build(settings)
    await monitor.runtime.start()
    try:
        yield monitor
    finally:
        await monitor.runtime.stop()


def command(event_type: str, data: dict) -> ApplyTicketInput:
    event = REGISTRY.load(event_type, data)
    return ApplyTicketInput(
        input=clock_input(event),
        event_id=uuid.uuid4(),
        event_type=event_type,
        occurred_at=event.occurred_at,
        data=data,
    )


def opened(ticket_id: str, at: datetime, policy_id: str = "seed-003", severity: str = "P1") -> dict:
    return {
        "ticket_id": ticket_id,
        "occurred_at": at.isoformat(),
        "reported_at": at.isoformat(),
        "channel": "phone",
        "description": "down",
        "context": {
            "customer_id": "C-1",
            "contract_id": "K-1",
            "policy_id": policy_id,
            "calendar_id": "7x24",
            "severity": severity,
            "region": "SH",
            "site_id": None,
            "unit_id": None,
            "product_line": None,
            "on_site_covered": False,
        },
    }


def acknowledged(ticket_id: str, at: datetime) -> dict:
    return {"ticket_id": ticket_id, "occurred_at": at.isoformat()}
