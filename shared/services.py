"""The one list of ServicePact's services: the dev stack, tests, catalogue, migration check and deploy
checks all read it. Adding a sixth service means one line here (and its folder under `services/`)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Service:
    name: str  # folder under services/, service_name setting, Kubernetes name
    package: str  # the Python package inside that folder
    port: int  # loopback port of the dev stack

    @property
    def env_prefix(self) -> str:
        return self.package.upper() + "_"

    @property
    def directory(self) -> Path:
        return ROOT / "services" / self.name

    @property
    def migrations(self) -> Path:
        return self.directory / self.package / "migrations"

    @property
    def database(self) -> str:
        return f"servicepact_{self.package}"

    @property
    def app_factory(self) -> str:
        return f"{self.package}.entrypoints.app:create_app"


SERVICES: tuple[Service, ...] = (
    Service("intake", "intake", 8001),
    Service("dispatch", "dispatch", 8002),
    Service("sla-monitor", "sla_monitor", 8003),
    Service("inventory", "inventory", 8004),
    Service("notify", "notify", 8005),
)
BY_NAME = {service.name: service for service in SERVICES}


def importable() -> None:
    """Put every service folder on sys.path (the catalogue and checks import all five packages)."""
    for service in SERVICES:
        path = str(service.directory)
        if path not in sys.path:
            sys.path.append(path)
