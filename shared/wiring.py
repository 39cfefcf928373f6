"""What a service's `bootstrap.build()` returns, the same in all five: the runtime, the bus, the views.

`entrypoints/app.py` hands it to `shared.app.create_service_app`, which keeps it on `app.state` for the
dependency aliases of `shared.http.dependencies` (`BusDep`, `RuntimeDep`) and the service's own
`ViewsDep`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.messagebus import MessageBus
from shared.runtime import ServiceRuntime


@dataclass(frozen=True)
class Wiring:
    runtime: ServiceRuntime
    bus: MessageBus
    views: Any = None  # the service's read side (queries for routes), if it has one
