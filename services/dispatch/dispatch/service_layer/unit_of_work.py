"""Dispatch's unit of work: its repositories, the read tables handlers consult, the directory.

Everything a command writes (events, their outbox rows, the projections, schedules, the roster, the
technician app's answers) commits together; after a commit that changed a technician or the roster,
the directory's cache is dropped so the next decision sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dispatch.adapters.directory import Directory
from dispatch.adapters.projections import jobs_projection, project_technicians, project_visits
from dispatch.adapters.read_model import JobRows, Repairs, VisitRows
from dispatch.adapters.records import FieldClaims, Rosters, Schedules
from dispatch.adapters.repositories import JobRepository, TechnicianRepository, VisitRepository
from dispatch.domain.events import TECHNICIAN_EVENTS
from shared.eventstore import EventStore
from shared.unit_of_work import Projection, SqlUnitOfWork

_TECHNICIAN_TYPES = frozenset(event.__name__ for event in TECHNICIAN_EVENTS)


class DispatchUnitOfWork(SqlUnitOfWork):
    def __init__(
        self,
        store: EventStore,
        *,
        directory: Directory,
        projections: Sequence[Projection] = (),
        **kwargs: Any,
    ) -> None:
        own = (
            jobs_projection(lambda ticket_id: self.jobs.loaded(ticket_id)),
            project_technicians,
            project_visits,
        )
        super().__init__(store, projections=(*own, *projections), **kwargs)
        self.jobs = JobRepository(self)
        self.technicians = TechnicianRepository(self)
        self.visits = VisitRepository(self)
        self.directory = directory
        self.job_rows = JobRows(self)
        self.repairs = Repairs(self)
        self.visit_rows = VisitRows(self)
        self.schedules = Schedules(self)
        self.rosters = Rosters(self)
        self.field_claims = FieldClaims(self)
        self.directory_changed = False  # set by a handler that changed what the directory caches

    async def commit(self) -> None:
        await super().commit()
        if self.directory_changed or any(envelope.type in _TECHNICIAN_TYPES for envelope in self.committed):
            self.directory.invalidate()
