"""The one place that wires dispatch: event types, the runtime, the unit of work and its bus, the
consumers, the background jobs, the views."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from dispatch.adapters.directory import Directory
from dispatch.adapters.inbound import FROM_SLA, FROM_TICKETS, INPUTS
from dispatch.config import Settings
from dispatch.domain.events import JOB_EVENTS, TECHNICIAN_EVENTS
from dispatch.entrypoints import consumers
from dispatch.entrypoints.background import MaintenancePlanner, QueueDrainer
from dispatch.service_layer.handlers import HANDLERS
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork
from dispatch.views import DispatchViews
from shared.envelope import EventMetadata
from shared.messagebus import MessageBus
from shared.registry import EventRegistry
from shared.runtime import ConsumerSpec, ServiceRuntime
from shared.wiring import Wiring


def build_registry() -> EventRegistry:
    registry = EventRegistry()
    registry.register_all(*JOB_EVENTS, *TECHNICIAN_EVENTS, *INPUTS)
    return registry


@dataclass
class Dispatch(Wiring):
    views: DispatchViews
    planner: MaintenancePlanner
    drainer: QueueDrainer


def build(settings: Settings | None = None) -> Dispatch:
    def consumer_specs(runtime: ServiceRuntime) -> list[ConsumerSpec]:
        return [
            ConsumerSpec(
                name="assignment",
                topics=[runtime.topics.tickets, runtime.topics.sla],
                handlers=consumers.handlers(bus),
                max_poll_records=50,
                reads={
                    runtime.topics.tickets: [e.__name__ for e in FROM_TICKETS],
                    runtime.topics.sla: [e.__name__ for e in FROM_SLA],
                },
            )
        ]

    runtime = ServiceRuntime(
        settings or Settings(),
        build_registry(),
        output_topic=lambda topics: topics.dispatch,
        migrations_path=Path(__file__).parent / "migrations",
        consumers=consumer_specs,
        background=lambda runtime: [drainer.run, planner.run],
    )
    directory = Directory(lambda: runtime.engine)

    def unit_of_work(metadata: EventMetadata, conn: AsyncConnection | None) -> DispatchUnitOfWork:
        if conn is not None:
            return DispatchUnitOfWork(runtime.store, directory=directory, conn=conn, metadata=metadata)
        return DispatchUnitOfWork(
            runtime.store, directory=directory, engine=runtime.engine, metadata=metadata
        )

    bus = MessageBus(unit_of_work, HANDLERS)
    drainer, planner = QueueDrainer(bus), MaintenancePlanner(bus)
    views = DispatchViews(lambda: runtime.engine, runtime.store, directory)
    return Dispatch(runtime=runtime, bus=bus, views=views, planner=planner, drainer=drainer)
