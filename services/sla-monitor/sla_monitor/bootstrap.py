"""The one place that wires sla-monitor: event types, runtime, catalog, unit of work and bus, the
consumer, the durable timer, and the seeding of shipped policies and calendars."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.registry import EventRegistry
from shared.runtime import ConsumerSpec, ServiceRuntime
from shared.wiring import Wiring
from sla_monitor.adapters.catalog import Catalog
from sla_monitor.adapters.inbound import DISPATCH_INPUTS, TICKET_INPUTS
from sla_monitor.adapters.retention import input_retention
from sla_monitor.config import Settings
from sla_monitor.domain.commands import SeedCatalog
from sla_monitor.domain.events import CATALOG_EVENTS, SLA_EVENTS
from sla_monitor.entrypoints.consumers import clock_handlers, inputs_read
from sla_monitor.entrypoints.timer import DueTimer
from sla_monitor.service_layer.unit_of_work import message_bus
from sla_monitor.views import Reader


@dataclass
class SlaMonitor(Wiring):
    views: Reader
    timer: DueTimer


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register_all(*SLA_EVENTS, *CATALOG_EVENTS, *TICKET_INPUTS, *DISPATCH_INPUTS)
    return registry


def build(settings: Settings | None = None) -> SlaMonitor:
    def consumers(runtime: ServiceRuntime) -> list[ConsumerSpec]:
        topics = [runtime.topics.tickets, runtime.topics.dispatch]
        return [
            ConsumerSpec(
                name="clocks",
                topics=topics,
                handlers=clock_handlers(bus, timer.wake),
                on_progress=inputs_read(bus, timer.wake),
                reads={
                    runtime.topics.tickets: [e.__name__ for e in TICKET_INPUTS],
                    runtime.topics.dispatch: [e.__name__ for e in DISPATCH_INPUTS],
                },
            )
        ]

    async def seed(runtime: ServiceRuntime) -> None:
        await bus.handle(SeedCatalog())  # reloads the catalog on commit

    settings = settings or Settings()
    runtime = ServiceRuntime(
        settings,
        build_registry(),
        output_topic=lambda topics: topics.sla,
        migrations_path=Path(__file__).parent / "migrations",
        consumers=consumers,
        on_start=seed,
        background=lambda runtime: [timer.run] if settings.timers_enabled else [],
        retention_rules=[input_retention(settings.input_retention_days)],
    )
    catalog = Catalog(lambda: runtime.engine)
    bus = message_bus(runtime, catalog)
    reader = Reader(lambda: runtime.engine, runtime.store, catalog)
    timer = DueTimer(bus, reader, grace_s=settings.input_grace_s)
    return SlaMonitor(runtime, bus, reader, timer)
