"""The one place that wires dispatch: event types, topics, consumers, the queue drain."""

from pathlib import Path

from dispatch.adapters.inbound import INPUTS
from dispatch.config import Settings
from dispatch.domain.events import JOB_EVENTS, TECHNICIAN_EVENTS
from dispatch.service_layer.directory import Directory
from dispatch.service_layer.dispatcher import Dispatcher
from dispatch.service_layer.maintenance import Maintenance
from dispatch.service_layer.technicians import TechnicianService
from shared.registry import EventRegistry
from shared.runtime import ConsumerSpec, ServiceRuntime


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register_all(*JOB_EVENTS, *TECHNICIAN_EVENTS, *INPUTS)
    return registry


def build(
    settings: Settings | None = None,
) -> tuple[ServiceRuntime, Dispatcher, TechnicianService, Maintenance]:
    holder: dict = {}

    def consumers(runtime: ServiceRuntime) -> list[ConsumerSpec]:
        return [
            ConsumerSpec(
                name="assignment",
                topics=[runtime.topics.tickets, runtime.topics.sla],
                handlers=holder["dispatcher"].handlers(),
                max_poll_records=50,
            )
        ]

    runtime = ServiceRuntime(
        settings or Settings(),
        build_registry(),
        output_topic=lambda topics: topics.dispatch,
        migrations_path=Path(__file__).parent / "migrations",
        consumers=consumers,
        background=lambda runtime: [holder["dispatcher"].run_queue, holder["maintenance"].run],
    )
    directory = Directory(lambda: runtime.engine)
    holder["dispatcher"] = Dispatcher(runtime, directory)
    holder["maintenance"] = Maintenance(runtime, holder["dispatcher"])
    return runtime, holder["dispatcher"], TechnicianService(runtime, directory), holder["maintenance"]
