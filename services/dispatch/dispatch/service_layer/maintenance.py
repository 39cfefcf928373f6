"""Preventive maintenance: schedules generate visits ahead of time; each visit becomes a job assigned
like a ticket; completion closes the job with a report; a visit past its due date is overdue once."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from dispatch.adapters.tables import jobs, maintenance_schedules, visits
from dispatch.domain.errors import InvalidCommand
from dispatch.domain.job import Job
from dispatch.domain.maintenance import Every, Schedule, Visit
from dispatch.service_layer.dispatcher import Dispatcher, JobNotFound
from shared.envelope import EventMetadata
from shared.runtime import ServiceRuntime

HORIZON = timedelta(days=30)  # visits exist a month ahead: the customer can be told 7 days before
RUN_EVERY_S = 60.0
STREAM_TYPE = "visit"


class ScheduleDoc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    schedule_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    every: Every
    first_due: date
    region: str = Field(min_length=1, max_length=100)
    product_line: str | None = Field(default=None, max_length=100)
    unit_id: str | None = Field(default=None, max_length=100)
    contract_id: str | None = Field(default=None, max_length=100)
    until: date | None = None

    def to_domain(self) -> Schedule:
        return Schedule(**self.model_dump())


class Maintenance:
    def __init__(self, runtime: ServiceRuntime, dispatcher: Dispatcher) -> None:
        self.runtime = runtime
        self.dispatcher = dispatcher

    async def add_schedule(self, doc: ScheduleDoc, today: date | None = None) -> dict[str, Any]:
        doc.to_domain()  # validates
        async with self.runtime.engine.begin() as conn:
            inserted = await conn.execute(
                insert(maintenance_schedules)
                .values(schedule_id=doc.schedule_id, document=doc.model_dump(mode="json"))
                .on_conflict_do_nothing()
                .returning(maintenance_schedules.c.schedule_id)
            )
            if inserted.first() is None:
                raise InvalidCommand("schedule_id already exists", field="schedule_id")
        await self.run_once(today or datetime.now(UTC).date())
        return doc.model_dump(mode="json")

    async def run_once(self, today: date) -> None:
        await self.generate(today)
        await self.flag_overdue(today)
        if self.runtime.relay is not None:
            self.runtime.relay.wake()

    async def run(self) -> None:
        while True:
            await self.run_once(datetime.now(UTC).date())
            await asyncio.sleep(RUN_EVERY_S)

    async def generate(self, today: date) -> int:
        created = 0
        async with self.runtime.engine.connect() as conn:
            documents = (await conn.execute(select(maintenance_schedules.c.document))).scalars().all()
        for document in documents:
            schedule = ScheduleDoc.model_validate(document).to_domain()
            for due_on in schedule.due_dates(today, today + HORIZON):
                created += await self._create_visit(schedule, due_on)
        return created

    async def _create_visit(self, schedule: Schedule, due_on: date) -> int:
        now = datetime.now(UTC)
        visit = Visit.schedule(schedule, due_on, now)
        async with self.runtime.engine.begin() as conn:
            claimed = await conn.execute(
                insert(visits)
                .values(
                    visit_id=visit.visit_id,
                    schedule_id=schedule.schedule_id,
                    due_on=due_on,
                    notify_on=visit.pending_events[0].notify_on,
                    status="scheduled",
                    region=schedule.region,
                    unit_id=schedule.unit_id,
                    contract_id=schedule.contract_id,
                )
                .on_conflict_do_nothing()
                .returning(visits.c.visit_id)
            )
            if claimed.first() is None:
                return 0  # generated before (or by another replica)
            metadata = EventMetadata(actor="dispatch")
            await self._append(conn, visit, metadata)
            await conn.execute(
                insert(jobs).values(
                    ticket_id=visit.visit_id,
                    job_id=f"J-{visit.visit_id}",
                    status="queued",
                    technician_id=None,
                    level=1,
                    severity="maintenance",
                    region=schedule.region,
                    product_line=schedule.product_line,
                    on_site_required=True,
                    customer_id=None,
                    unit_id=schedule.unit_id,
                    account_engineer_id=None,
                    queued=True,
                    opened_at=now,
                    version=0,
                )
            )
            job = Job.new(
                ticket_id=visit.visit_id,
                job_id=f"J-{visit.visit_id}",
                region=schedule.region,
                product_line=schedule.product_line,
                severity="maintenance",
                on_site_required=True,
            )
            await self.dispatcher.assign_new(conn, job, metadata)
        return 1

    async def flag_overdue(self, today: date) -> int:
        flagged = 0
        async with self.runtime.engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(visits.c.visit_id)
                    .where(visits.c.status == "scheduled", visits.c.due_on < today)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            for row in rows:
                visit = Visit.replay(await self.runtime.store.load_events(conn, f"visit:{row.visit_id}"))
                if visit.mark_overdue(today, datetime.now(UTC)):
                    await self._append(conn, visit, EventMetadata(actor="dispatch"))
                    await conn.execute(
                        update(visits).where(visits.c.visit_id == row.visit_id).values(status="overdue")
                    )
                    flagged += 1
        return flagged

    async def complete(
        self,
        visit_id: str,
        technician_id: str,
        *,
        report: str,
        minutes_spent: int,
        signed_by: str,
        occurred_at: datetime,
        metadata: EventMetadata,
    ) -> dict[str, Any]:
        def finish(job: Job, now: datetime) -> None:
            job.resolve(
                technician_id,
                occurred_at,
                "preventive maintenance",
                report,
                None,
                (),
                minutes_spent,
                signed_by,
                None,
                now=now,
            )

        async def also_visit(conn) -> None:
            history = await self.runtime.store.load_events(conn, f"visit:{visit_id}")
            if not history:
                raise JobNotFound(visit_id)
            visit = Visit.replay(history)
            visit.complete(technician_id, report, datetime.now(UTC))
            await self._append(conn, visit, metadata)
            await conn.execute(update(visits).where(visits.c.visit_id == visit_id).values(status="completed"))

        return await self.dispatcher.field_step(visit_id, technician_id, finish, metadata, also=also_visit)

    async def _append(self, conn, visit: Visit, metadata: EventMetadata) -> None:
        new_events = list(visit.pending_events)
        await self.runtime.store.append(
            conn,
            stream_id=f"visit:{visit.visit_id}",
            stream_type=STREAM_TYPE,
            expected_version=visit.version - len(new_events),
            new_events=new_events,
            metadata=metadata,
            key=visit.visit_id,
        )
        visit.pending_events.clear()

    async def list_visits(self, *, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(visits, jobs.c.technician_id).join(
            jobs, jobs.c.ticket_id == visits.c.visit_id, isouter=True
        )
        if status:
            query = query.where(visits.c.status == status)
        async with self.runtime.engine.connect() as conn:
            rows = (await conn.execute(query.order_by(visits.c.due_on).limit(limit))).mappings().all()
        return [
            {**dict(r), "due_on": r["due_on"].isoformat(), "notify_on": r["notify_on"].isoformat()}
            for r in rows
        ]
