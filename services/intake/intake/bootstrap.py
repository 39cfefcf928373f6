"""The one place that wires intake: event types, runtime, the bus (unit of work, handlers), consumers."""

from pathlib import Path

from intake.adapters.inbound import DISPATCH_EVENTS, SLA_CATALOG_EVENTS
from intake.config import Settings
from intake.domain.archive_events import ARCHIVE_EVENTS
from intake.domain.events import COMPLAINT_EVENTS, TICKET_EVENTS
from intake.entrypoints import consumers
from intake.service_layer.bus import IntakeBus, message_bus
from shared.calendars.china import china_calendar
from shared.registry import EventRegistry
from shared.runtime import ConsumerSpec, ServiceRuntime
from shared.wiring import Wiring


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register_all(
        *TICKET_EVENTS, *COMPLAINT_EVENTS, *ARCHIVE_EVENTS, *DISPATCH_EVENTS, *SLA_CATALOG_EVENTS
    )
    return registry


def build(settings: Settings | None = None) -> Wiring:
    settings = settings or Settings()
    holder: dict[str, IntakeBus] = {}
    runtime = ServiceRuntime(
        settings,
        build_registry(),
        output_topic=lambda topics: topics.tickets,
        migrations_path=Path(__file__).parent / "migrations",
        consumers=lambda runtime: [
            ConsumerSpec(
                name="field-work",
                topics=[runtime.topics.dispatch],
                handlers=consumers.field_work(holder["bus"]),
            ),
            ConsumerSpec(
                name="sla-catalog",
                topics=[runtime.topics.sla],
                handlers=consumers.sla_catalog(holder["bus"]),
            ),
        ],
    )
    holder["bus"] = message_bus(runtime, china_calendar())
    return Wiring(runtime, holder["bus"], views=None)  # views are built per request (dependencies)
