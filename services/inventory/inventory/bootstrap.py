"""The one place that wires inventory: event types, topics, consumers."""

from pathlib import Path

from inventory.config import Settings
from shared.registry import EventRegistry
from shared.runtime import ServiceRuntime


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings or Settings(),
        EventRegistry(),
        output_topic=lambda topics: topics.inventory,
        migrations_path=Path(__file__).parent / "migrations",
    )
