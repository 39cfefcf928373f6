"""The in-memory twin of dispatch's unit of work, for handler tests through the bus (no I/O).

Its read-side fakes answer from the streams themselves (loads via the projection's own
`load_changes`, profiles from the technicians' streams), so a test sees what the SQL adapters would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

import pytest
from dispatch.adapters.projections import job_load_changes
from dispatch.adapters.repositories import JobRepository, TechnicianRepository, VisitRepository
from dispatch.domain.assignment import JobNeed, TechnicianProfile
from dispatch.domain.errors import ClientIdReused
from dispatch.domain.events import WorkResolved
from dispatch.domain.job import Job
from dispatch.domain.maintenance import SEVERITY as MAINTENANCE
from dispatch.domain.maintenance import Visit, VisitHistory
from dispatch.domain.roster_document import everyone_on_shift
from dispatch.domain.technician import Technician
from dispatch.service_layer.handlers import HANDLERS

from shared.envelope import EventMetadata
from shared.messagebus import MessageBus
from shared.testing.fakes import InMemoryStreams, InMemoryUnitOfWork


class World:
    """What the fakes share between units of work: the streams and the non-event state."""

    def __init__(self) -> None:
        self.streams = InMemoryStreams()
        self.severity: dict[str, str] = {}
        self.schedules: dict[str, dict[str, Any]] = {}
        self.roster: dict[str, Any] | None = None
        self.claims: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
        self.invalidated = 0
        self.off_on: dict[date, set[str]] = {}  # who is not on the roster on a day (visits)

    def replayed(self, prefix: str, aggregate: Any) -> list[Any]:
        return [
            aggregate.replay(events)
            for stream_id, events in self.streams._streams.items()
            if stream_id.startswith(prefix) and events
        ]

    def jobs(self) -> list[Job]:
        return self.replayed("job:", Job)

    def job(self, ticket_id: str) -> Job:
        return Job.replay(self.streams.events(f"job:{ticket_id}"))

    def job_streams(self) -> list[tuple[Job, list[Any]]]:
        return [
            (Job.replay(events), events)
            for stream_id, events in self.streams._streams.items()
            if stream_id.startswith("job:") and events
        ]

    def loads(self) -> dict[str, int]:
        """Open breakdown jobs per technician, as the projection counts them (visits excluded)."""
        total: Counter[str] = Counter()
        for job, events in self.job_streams():
            total.update(job_load_changes(job, events))
        return {t: n for t, n in total.items() if n}

    def visit_loads(self) -> dict[str, int]:
        """Open maintenance-visit jobs per technician."""
        return dict(
            Counter(
                job.technician_id
                for job, _ in self.job_streams()
                if job.severity == MAINTENANCE and job.technician_id and job.is_open
            )
        )


class FakeDirectory:
    def __init__(self, world: World) -> None:
        self.world = world

    async def profiles(self) -> list[TechnicianProfile]:
        return [t.profile() for t in self.world.replayed("tech:", Technician)]

    async def candidates(self, need: JobNeed) -> list[TechnicianProfile]:
        return await self.profiles()  # `choose` applies every filter itself

    async def profile(self, technician_id: str) -> TechnicianProfile | None:
        return next((p for p in await self.profiles() if p.technician_id == technician_id), None)

    async def on_shift(self):
        return everyone_on_shift

    async def on_shift_on(self, day: date):
        return lambda technician_id: technician_id not in self.world.off_on.get(day, ())

    def invalidate(self) -> None:
        self.world.invalidated += 1


class FakeJobRows:
    def __init__(self, world: World) -> None:
        self.world = world

    async def get(self, ticket_id: str) -> dict[str, Any] | None:
        if not self.world.streams.events(f"job:{ticket_id}"):
            return None
        job = self.world.job(ticket_id)
        return {
            "severity": self.world.severity.get(ticket_id, job.severity),
            "region": job.region,
            "product_line": job.product_line,
            "on_site_required": job.on_site_required,
            "unit_id": job.unit_id,
        }

    async def opening(self, ticket_id: str, unit_id: str | None) -> tuple[bool, str | None]:
        return bool(self.world.streams.events(f"job:{ticket_id}")), await FakeRepairs(
            self.world
        ).last_served_by(unit_id)

    async def set_severity(self, ticket_id: str, severity: str) -> None:
        self.world.severity[ticket_id] = severity

    async def waiting(self, limit: int) -> list[str]:
        queued = [
            j
            for j in self.world.jobs()
            if j.technician_id is None and j.is_open and j.severity != MAINTENANCE and not j.awaiting_consent
        ]
        return [
            j.ticket_id
            for j in sorted(
                queued, key=lambda j: j.opened_at or j.last_event_at or datetime.min.replace(tzinfo=UTC)
            )
        ][:limit]

    async def loads(self, among: list[TechnicianProfile] | None = None) -> dict[str, int]:
        return self.world.loads()

    async def visit_loads(self) -> dict[str, int]:
        return self.world.visit_loads()


class FakeRepairs:
    def __init__(self, world: World) -> None:
        self.world = world

    def _repairs(self) -> list[WorkResolved]:
        return [e for e in self.world.streams.all_events() if isinstance(e, WorkResolved) and e.unit_id]

    async def last_served_by(self, unit_id: str | None) -> str | None:
        served = [r for r in self._repairs() if r.unit_id == unit_id]
        return max(served, key=lambda r: r.occurred_at).technician_id if served else None

    async def previous(self, *, ticket_id: str, unit_id: str, fault_code: str, since: datetime) -> str | None:
        same = [
            r
            for r in self._repairs()
            if r.unit_id == unit_id
            and r.fault_code == fault_code
            and r.ticket_id != ticket_id
            and r.occurred_at >= since
        ]
        return max(same, key=lambda r: r.occurred_at).ticket_id if same else None


class FakeVisitRows:
    def __init__(self, world: World) -> None:
        self.world = world

    async def past_due(self, today: date) -> list[str]:
        visits = self.world.replayed("visit:", Visit)
        return [v.visit_id for v in visits if v.status == "scheduled" and v.due_on < today]

    async def to_staff(self, today: date) -> list[str]:
        visits = self.world.replayed("visit:", Visit)
        due = sorted((v.due_on, v.visit_id) for v in visits if v.status != "completed" and v.due_on <= today)
        return [
            vid
            for _, vid in due
            if not self.world.streams.events(f"job:{vid}")
            or (self.world.job(vid).technician_id is None and self.world.job(vid).is_open)
        ]

    async def histories(self, schedule_ids: list[str]) -> dict[str, VisitHistory]:
        return {schedule_id: await self.history(schedule_id) for schedule_id in schedule_ids}

    async def history(self, schedule_id: str) -> VisitHistory:
        visits = [v for v in self.world.replayed("visit:", Visit) if v.schedule_id == schedule_id]
        completed = [
            e.occurred_at.date()
            for v in visits
            for e in self.world.streams.events(f"visit:{v.visit_id}")
            if type(e).__name__ == "MaintenanceVisitCompleted"
        ]
        return VisitHistory(
            last_due=max((v.due_on for v in visits), default=None),
            last_completed=max(completed, default=None),
            open=frozenset(v.visit_id for v in visits if v.status != "completed"),
        )


class FakeSchedules:
    def __init__(self, world: World) -> None:
        self.world = world

    async def add(self, schedule_id: str, document: dict[str, Any]) -> bool:
        return self.world.schedules.setdefault(schedule_id, document) is document

    async def all(self) -> list[dict[str, Any]]:
        return list(self.world.schedules.values())

    async def get(self, schedule_id: str) -> dict[str, Any] | None:
        return self.world.schedules.get(schedule_id)


class FakeRosters:
    def __init__(self, world: World) -> None:
        self.world = world

    async def save(self, document: dict[str, Any]) -> None:
        self.world.roster = document


class FakeFieldClaims:
    def __init__(self, world: World) -> None:
        self.world = world

    async def claim(self, technician_id: str, client_id: str, submission: Any) -> dict[str, Any] | None:
        self._submission = submission
        known = self.world.claims.get((technician_id, client_id))
        if known is None:
            return None
        if known[0] != submission:
            raise ClientIdReused()
        return known[1]

    async def remember(self, technician_id: str, client_id: str, answer: Mapping[str, Any]) -> None:
        self.world.claims[(technician_id, client_id)] = (self._submission, dict(answer))


class FakeDispatchUow(InMemoryUnitOfWork):
    def __init__(self, world: World, metadata: EventMetadata | None = None) -> None:
        super().__init__(world.streams, metadata)
        self.jobs = JobRepository(self)
        self.technicians = TechnicianRepository(self)
        self.visits = VisitRepository(self)
        self.directory = FakeDirectory(world)
        self.job_rows = FakeJobRows(world)
        self.repairs = FakeRepairs(world)
        self.visit_rows = FakeVisitRows(world)
        self.schedules = FakeSchedules(world)
        self.rosters = FakeRosters(world)
        self.field_claims = FakeFieldClaims(world)
        self.directory_changed = False

    async def commit(self) -> None:
        await super().commit()
        if self.directory_changed:
            self.directory.invalidate()


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def bus(world: World) -> MessageBus:
    return MessageBus(lambda metadata, conn: FakeDispatchUow(world, metadata), HANDLERS)
