"""A technician: an event-sourced aggregate (its repository names the stream).

Holds what the assignment decision needs (level, skills, regions, capacity, active) and yields it
as a ``TechnicianProfile``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from dispatch.domain.assignment import MAX_LEVEL, TechnicianProfile
from dispatch.domain.errors import InvalidCommand
from dispatch.domain.events import (
    TechnicianEvent,
    TechnicianRegistered,
    TechnicianStatusChanged,
    TechnicianUpdated,
)
from shared.aggregate import Aggregate


class TechnicianStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


def _names(values: Iterable[str], field: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise InvalidCommand(f"{field} must be a list of names, not a string", field=field)
    names = tuple(values)
    if any(not isinstance(v, str) or not v.strip() for v in names):
        raise InvalidCommand(f"{field} must be non-empty names", field=field)
    return tuple(sorted(set(names)))


def _validated(
    *, level: int, skills: Iterable[str], home_region: str, regions: Iterable[str], capacity: int
) -> dict[str, Any]:
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
        raise InvalidCommand(f"level must be between 1 and {MAX_LEVEL}", field="level")
    if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 0:
        raise InvalidCommand("capacity must be a non-negative integer", field="capacity")
    if not isinstance(home_region, str) or not home_region.strip():
        raise InvalidCommand("a home region is required", field="home_region")
    return {
        "level": level,
        "skills": _names(skills, "skills"),
        "home_region": home_region,
        "regions": _names(regions, "regions"),
        "capacity": capacity,
    }


class Technician(Aggregate):
    def __init__(self) -> None:
        super().__init__()
        self.technician_id = ""
        self.name = ""
        self.level = 1
        self.skills: tuple[str, ...] = ()
        self.home_region = ""
        self.regions: tuple[str, ...] = ()
        self.capacity = 0
        self.status = TechnicianStatus.ACTIVE
        self.registered_at: datetime | None = None
        self.updated_at: datetime | None = None

    # ---- construction ---------------------------------------------------------------------------
    @classmethod
    def register(
        cls,
        *,
        technician_id: str,
        name: str,
        level: int,
        skills: Iterable[str],
        home_region: str,
        regions: Iterable[str],
        capacity: int,
        now: datetime,
    ) -> Technician:
        if not isinstance(technician_id, str) or not technician_id.strip():
            raise InvalidCommand("technician_id is required", field="technician_id")
        if not isinstance(name, str) or not name.strip():
            raise InvalidCommand("a name is required", field="name")
        values = _validated(
            level=level, skills=skills, home_region=home_region, regions=regions, capacity=capacity
        )
        technician = cls()
        technician._record(
            TechnicianRegistered(technician_id=technician_id, name=name, occurred_at=now, **values)
        )
        return technician

    # ---- commands ------------------------------------------------------------------------------
    def update(
        self,
        *,
        level: int,
        skills: Iterable[str],
        home_region: str,
        regions: Iterable[str],
        capacity: int,
        now: datetime,
    ) -> bool:
        """Replace the profile. Returns False (and records nothing) when nothing changes."""
        values = _validated(
            level=level, skills=skills, home_region=home_region, regions=regions, capacity=capacity
        )
        current = {
            "level": self.level,
            "skills": self.skills,
            "home_region": self.home_region,
            "regions": self.regions,
            "capacity": self.capacity,
        }
        if values == current:
            return False
        self._record(TechnicianUpdated(technician_id=self.technician_id, occurred_at=now, **values))
        return True

    def set_status(self, status: str, now: datetime) -> bool:
        """Activate or deactivate. Returns False (and records nothing) when already so."""
        try:
            wanted = TechnicianStatus(status)
        except ValueError:
            raise InvalidCommand("status must be 'active' or 'inactive'", field="status") from None
        if wanted == self.status:
            return False
        self._record(
            TechnicianStatusChanged(technician_id=self.technician_id, status=str(wanted), occurred_at=now)
        )
        return True

    # ---- state ---------------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.status == TechnicianStatus.ACTIVE

    def profile(self) -> TechnicianProfile:
        return TechnicianProfile(
            technician_id=self.technician_id,
            level=self.level,
            skills=frozenset(self.skills),
            home_region=self.home_region,
            regions=frozenset(self.regions),
            capacity=self.capacity,
            active=self.active,
        )

    def _apply(self, event: TechnicianEvent) -> None:
        self.updated_at = event.occurred_at
        match event:
            case TechnicianRegistered():
                self.technician_id, self.name = event.technician_id, event.name
                self.registered_at = event.occurred_at
                self._set_profile(event)
            case TechnicianUpdated():
                self._set_profile(event)
            case TechnicianStatusChanged():
                self.status = TechnicianStatus(event.status)

    def _set_profile(self, event: TechnicianRegistered | TechnicianUpdated) -> None:
        self.level, self.capacity = event.level, event.capacity
        self.skills, self.regions = tuple(event.skills), tuple(event.regions)
        self.home_region = event.home_region
