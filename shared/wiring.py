"""What a service's `bootstrap.build()` returns, the same in all five: the runtime, the bus, the views.

`entrypoints/app.py` hands it to `shared.app.create_service_app`, which keeps the runtime, the bus and
the views on `app.state` for the service's dependency aliases (`BusDep`, its views). A service with
more to wire (a planner, a timer) subclasses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.messagebus import MessageBus
from shared.runtime import ServiceRuntime


@dataclass
class Wiring:
    runtime: ServiceRuntime
    bus: MessageBus
    views: Any  # the service's read side (queries for routes); None if it has none yet
