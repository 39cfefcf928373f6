"""The one place that wires intake: event types, topics, consumers, the ticket service."""

from pathlib import Path

from intake.adapters.inbound import DISPATCH_EVENTS
from intake.config import Settings
from intake.domain.events import COMPLAINT_EVENTS, TICKET_EVENTS
from intake.service_layer import field_work
from intake.service_layer.tickets import TicketService
from shared.calendars.china import china_calendar
from shared.registry import EventRegistry
from shared.runtime import ConsumerSpec, ServiceRuntime


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register_all(*TICKET_EVENTS, *COMPLAINT_EVENTS, *DISPATCH_EVENTS)
    return registry


def build(settings: Settings | None = None) -> tuple[ServiceRuntime, TicketService]:
    settings = settings or Settings()
    holder: dict[str, TicketService] = {}
    runtime = ServiceRuntime(
        settings,
        build_registry(),
        output_topic=lambda topics: topics.tickets,
        migrations_path=Path(__file__).parent / "migrations",
        consumers=lambda runtime: [
            ConsumerSpec(
                name="field-work",
                topics=[runtime.topics.dispatch],
                handlers=field_work.handlers(holder["tickets"]),
            ),
        ],
    )
    holder["tickets"] = TicketService(runtime, china_calendar())
    return runtime, holder["tickets"]
