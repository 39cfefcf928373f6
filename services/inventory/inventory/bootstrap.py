"""The one place that wires inventory: event types, topics, unit of work, bus, consumers."""

from pathlib import Path

from inventory.config import Settings
from inventory.service_layer.handlers import HANDLERS
from inventory.service_layer.unit_of_work import InventoryUnitOfWork
from shared.messagebus import MessageBus
from shared.registry import EventRegistry
from shared.runtime import ServiceRuntime
from shared.wiring import Wiring


def build_registry() -> EventRegistry:
    return EventRegistry()


def build(settings: Settings | None = None) -> Wiring:
    runtime = ServiceRuntime(
        settings or Settings(),
        build_registry(),
        output_topic=lambda topics: topics.inventory,
        migrations_path=Path(__file__).parent / "migrations",
    )
    bus = MessageBus(
        lambda metadata, conn: runtime.unit_of_work(InventoryUnitOfWork, metadata, conn), HANDLERS
    )
    return Wiring(runtime, bus, views=None)
