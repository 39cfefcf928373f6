"""The one place that wires sla-monitor: event types, topics, consumers, the durable timer."""

from pathlib import Path

from shared.registry import EventRegistry
from shared.runtime import ConsumerSpec, ServiceRuntime
from sla_monitor.adapters.inbound import DISPATCH_INPUTS, TICKET_INPUTS
from sla_monitor.config import Settings
from sla_monitor.domain.events import CATALOG_EVENTS, SLA_EVENTS
from sla_monitor.service_layer.catalog import Catalog
from sla_monitor.service_layer.monitor import Monitor


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register_all(*SLA_EVENTS, *CATALOG_EVENTS, *TICKET_INPUTS, *DISPATCH_INPUTS)
    return registry


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, Monitor]:
    holder: dict[str, Monitor] = {}

    def consumers(runtime: ServiceRuntime) -> list[ConsumerSpec]:
        return [
            ConsumerSpec(
                name="clocks",
                topics=[runtime.topics.tickets, runtime.topics.dispatch],
                handlers=holder["monitor"].handlers(),
            )
        ]

    runtime = ServiceRuntime(
        settings or Settings(),
        build_registry(),
        output_topic=lambda topics: topics.sla,
        migrations_path=Path(__file__).parent / "migrations",
        consumers=consumers,
        on_start=lambda runtime: holder["monitor"].catalog.seed(),
        background=lambda runtime: [holder["monitor"].run_timer] if runtime.settings.timers_enabled else [],
    )
    holder["monitor"] = Monitor(runtime, Catalog(lambda: runtime.engine, store=lambda: runtime.store))
    return runtime, holder["monitor"]
