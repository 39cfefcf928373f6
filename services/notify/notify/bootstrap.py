"""The one place that wires notify: event types, topics, consumers."""

from pathlib import Path

from shared.registry import EventRegistry
from shared.runtime import ServiceRuntime

from notify.config import Settings


def build_runtime(settings: Settings | None = None) -> ServiceRuntime:
    return ServiceRuntime(
        settings or Settings(),
        EventRegistry(),
        output_topic=lambda topics: topics.notify,
        migrations_path=Path(__file__).parent / "migrations",
    )
