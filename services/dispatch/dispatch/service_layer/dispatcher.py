"""Jobs: automatic assignment, the queue, escalation reassignment, manual (re)assignment, field work.

Every change appends the job's events (stream "job:<ticket>", keyed by the ticket id) and updates
the read models (jobs, technicians' load) in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import Counter, Histogram
from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from dispatch.adapters import inbound
from dispatch.adapters.tables import jobs, repairs
from dispatch.domain.assignment import JobNeed, choose, escalation_target
from dispatch.domain.errors import InvalidCommand
from dispatch.domain.events import WorkResolved
from dispatch.domain.job import TERMINAL, Job, on_site_at_once
from dispatch.service_layer.directory import Directory
from shared.domain_errors import NotFound
from shared.envelope import Envelope, EventMetadata
from shared.runtime import ServiceRuntime

log = logging.getLogger(__name__)
DECISIONS = Counter("dispatch_assignment_decisions_total", "Assignment decisions", ["outcome"])
DECIDE_SECONDS = Histogram("dispatch_decision_seconds", "Time to decide one assignment")
STREAM_TYPE = "job"
REPEAT_WINDOW = timedelta(days=30)
DRAIN_EVERY_S = 1.0


# The job's read-model row and its engineers' loads, in one round trip.
_SAVE_JOB = text(
    """
    WITH saved AS (
        UPDATE jobs SET status = :status, technician_id = :technician_id, level = :level, queued = :queued,
                        version = :version, updated_at = now()
        WHERE ticket_id = :ticket_id
        RETURNING 1
    )
    UPDATE technicians AS t SET load = t.load + d.delta
    FROM unnest(CAST(:ids AS text[]), CAST(:deltas AS int[])) AS d(technician_id, delta)
    WHERE t.technician_id = d.technician_id
    """
)


class JobNotFound(NotFound):
    def __init__(self, ticket_id: str) -> None:
        super().__init__("job", ticket_id, field="ticket_id")


def _now() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    def __init__(self, runtime: ServiceRuntime, directory: Directory) -> None:
        self.runtime = runtime
        self.directory = directory

    # ---- consumed events -----------------------------------------------------------------------
    def handlers(self) -> dict[str, Any]:
        return {
            "TicketOpened": self.on_opened,
            "TicketClassified": self.on_classified,
            "TicketCancelled": self.on_closed_elsewhere,
            "TicketResolved": self.on_closed_elsewhere,
            "EscalationRaised": self.on_escalation,
        }

    async def on_opened(self, conn: AsyncConnection, event: inbound.TicketOpened, envelope: Envelope) -> None:
        context = event.context
        job = Job.new(
            ticket_id=event.ticket_id,
            job_id=f"J-{event.ticket_id}",
            region=context.region,
            product_line=context.product_line,
            severity=context.severity,
            on_site_required=on_site_at_once(context.severity, context.on_site_covered),
        )
        row = {
            "ticket_id": job.ticket_id,
            "job_id": job.job_id,
            "status": str(job.status),
            "technician_id": None,
            "level": 1,
            "severity": context.severity,
            "region": context.region,
            "product_line": context.product_line,
            "on_site_required": job.on_site_required,
            "customer_id": context.customer_id,
            "unit_id": context.unit_id,
            "account_engineer_id": event.account_engineer_id,
            "queued": True,
            "opened_at": event.occurred_at,
            "version": 0,
        }
        created = (
            await conn.execute(
                insert(jobs)
                .values(**row)
                .on_conflict_do_nothing()
                .returning(jobs.c.ticket_id, self._last_served_query(context.unit_id))
            )
        ).first()
        if created is None:
            return  # opened before (a replay): the job exists
        await self._try_assign(
            conn,
            job,
            self._metadata(envelope),
            on_site=context.on_site_covered,
            row=row,
            last_served_by=created[1],
        )

    async def on_classified(
        self, conn: AsyncConnection, event: inbound.TicketClassified, envelope: Envelope
    ) -> None:
        await conn.execute(
            update(jobs).where(jobs.c.ticket_id == event.ticket_id).values(severity=event.severity)
        )
        row = await self._row(conn, event.ticket_id, lock=True)
        if row is not None and row["queued"]:
            job = await self._load(conn, row)
            await self._try_assign(conn, job, self._metadata(envelope), on_site=True)

    async def on_closed_elsewhere(self, conn: AsyncConnection, event: Any, envelope: Envelope) -> None:
        """Cancelled, or resolved by the office (not in the field): the job ends, the engineer is freed."""
        row = await self._row(conn, event.ticket_id, lock=True)
        if row is None or row["status"] in {s.value for s in TERMINAL}:
            return
        job = await self._load(conn, row)
        job.close("cancelled" if isinstance(event, inbound.TicketCancelled) else "resolved_by_office", _now())
        freed = {row["technician_id"]: -1} if row["technician_id"] else {}
        await self._save(conn, job, self._metadata(envelope), loads=freed)

    async def on_escalation(
        self, conn: AsyncConnection, event: inbound.EscalationRaised, envelope: Envelope
    ) -> None:
        """Reassign to someone of the raised level (up the ladder if nobody), once per escalation."""
        row = await self._row(conn, event.ticket_id, lock=True)
        if row is None or row["status"] in {s.value for s in TERMINAL} or event.level <= row["level"]:
            return
        job = await self._load(conn, row)
        region = row["region"] or event.region or ""
        exclude = frozenset({job.technician_id}) if job.technician_id else frozenset()
        decision = escalation_target(
            event.level,
            region,
            await self.directory.profiles(),
            load=await self.directory.loads(conn),
            on_shift=self._on_shift_now(await self.directory.on_shift()),
            exclude=exclude,
        )
        loads: dict[str, int] = {}
        if decision.technician_id is None:
            job.unstaffed(f"escalation to L{event.level} ({event.reason}): nobody on shift", _now())
            DECISIONS.labels("escalation_unstaffed").inc()
        else:
            previous = job.technician_id
            if previous is None:
                job.assign(decision.technician_id, event.level, f"escalation: {decision.reason}", _now())
            else:
                job.escalate_to(decision.technician_id, event.level, _now())
                loads[previous] = -1
            loads[decision.technician_id] = +1
            DECISIONS.labels("escalated").inc()
        await self._save(conn, job, self._metadata(envelope), loads=loads)

    async def assign_new(self, conn: AsyncConnection, job: Job, metadata: EventMetadata) -> bool:
        """A job created here (e.g. a maintenance visit): assign it, or queue it for the dispatcher."""
        return await self._try_assign(conn, job, metadata, on_site=True)

    # ---- the queue -----------------------------------------------------------------------------
    async def drain_queue(self) -> int:
        """Assign queued jobs as soon as someone fits (shift start, a job finished)."""
        assigned = 0
        async with self.runtime.engine.begin() as conn:
            rows = (
                (
                    await conn.execute(
                        select(jobs)
                        .where(jobs.c.queued)
                        .order_by(jobs.c.opened_at)
                        .limit(100)
                        .with_for_update(skip_locked=True)
                    )
                )
                .mappings()
                .all()
            )
            for row in rows:
                job = await self._load(conn, dict(row))
                if await self._try_assign(
                    conn, job, EventMetadata(actor="dispatch"), on_site=True, queue=False
                ):
                    assigned += 1
        if assigned and self.runtime.relay is not None:
            self.runtime.relay.wake()
        return assigned

    async def run_queue(self) -> None:
        while True:
            await self.drain_queue()
            await asyncio.sleep(DRAIN_EVERY_S)

    # ---- office commands -----------------------------------------------------------------------
    async def assign_manually(
        self, ticket_id: str, technician_id: str, reason: str, metadata: EventMetadata
    ) -> dict:
        profile = await self.directory.profile(technician_id)
        if profile is None or not profile.active:
            raise InvalidCommand("unknown or inactive technician", field="technician_id")
        async with self.runtime.uow() as uow:
            row = await self._row(uow.conn, ticket_id, lock=True)
            if row is None:
                raise JobNotFound(ticket_id)
            job = await self._load(uow.conn, row)
            previous = job.technician_id
            if previous is None:
                job.assign(technician_id, max(job.level, 1), f"manual: {reason}", _now())
            else:
                job.reassign(technician_id, f"manual: {reason}", job.level, _now())
            loads = {previous: -1, technician_id: +1} if previous else {technician_id: +1}
            await self._save(uow.conn, job, metadata, uow=uow, loads=loads)
            await uow.commit()
        return job_document(job, row)

    # ---- field work ----------------------------------------------------------------------------
    async def field_step(
        self,
        ticket_id: str,
        technician_id: str,
        action: Callable[[Job, datetime], None],
        metadata: EventMetadata,
        *,
        claim=None,
        also=None,
    ) -> dict:
        """A technician's submission. `claim(conn)` returns a stored answer for a retried client id;
        `also(conn)` does more in the same transaction (e.g. completing a maintenance visit)."""
        async with self.runtime.uow() as uow:
            if claim is not None:
                stored = await claim(uow.conn)
                if stored is not None:
                    return stored
            row = await self._row(uow.conn, ticket_id, lock=True)
            if row is None or row["technician_id"] != technician_id:
                raise JobNotFound(ticket_id)  # someone else's job looks like no job at all
            job = await self._load(uow.conn, row)
            before = job.status
            action(job, _now())
            resolved = [e for e in job.pending_events if isinstance(e, WorkResolved)]
            if resolved:
                await self._record_repair(uow.conn, job, row, resolved[0])
            freed = {technician_id: -1} if before not in TERMINAL and job.status in TERMINAL else {}
            await self._save(uow.conn, job, metadata, uow=uow, loads=freed)
            if also is not None:
                await also(uow.conn)
            document = job_document(job, row)
            if claim is not None:
                await claim.remember(uow.conn, document)
            await uow.commit()
        return document

    async def job(self, ticket_id: str) -> dict:
        async with self.runtime.engine.connect() as conn:
            row = await self._row(conn, ticket_id)
            if row is None:
                raise JobNotFound(ticket_id)
            return job_document(await self._load(conn, row), row)

    # ---- internals -----------------------------------------------------------------------------
    async def _try_assign(
        self,
        conn: AsyncConnection,
        job: Job,
        metadata: EventMetadata,
        *,
        on_site: bool,
        queue: bool = True,
        row: dict | None = None,
        last_served_by: str | None = None,
    ) -> bool:
        """`row` and `last_served_by` when the caller already has them (saves round trips)."""
        if row is None:
            row = await self._row(conn, job.ticket_id)
            assert row is not None
            last_served_by = await self._last_served_by(conn, row["unit_id"])
        need = JobNeed(
            ticket_id=job.ticket_id,
            region=row["region"] or "",
            product_line=row["product_line"],
            on_site=on_site and row["region"] is not None,
            account_engineer_id=row["account_engineer_id"],
            last_served_by=last_served_by,
        )
        started = asyncio.get_running_loop().time()
        candidates = await self.directory.candidates(need)
        decision = choose(
            need,
            candidates,
            load=await self.directory.loads(conn, candidates),
            on_shift=self._on_shift_now(await self.directory.on_shift()),
        )
        DECIDE_SECONDS.observe(asyncio.get_running_loop().time() - started)
        if decision.technician_id is None:
            DECISIONS.labels("queued").inc()
            if queue and job.version == 0:
                job.queue(
                    f"nobody fits (region {need.region or '-'}, skill {need.product_line or '-'})", _now()
                )
                await self._save(conn, job, metadata)
            return False
        profile = await self.directory.profile(decision.technician_id)
        job.assign(
            decision.technician_id, max(job.level, profile.level if profile else 1), decision.reason, _now()
        )
        await self._save(conn, job, metadata, loads={decision.technician_id: +1})
        DECISIONS.labels("assigned").inc()
        return True

    @staticmethod
    def _on_shift_now(on_shift) -> Callable[[str], bool]:
        now = _now()
        return lambda technician_id: on_shift(technician_id, now)

    @staticmethod
    def _last_served_query(unit_id: str | None):
        """Who last repaired this unit (a scalar subquery; NULL without a unit or history)."""
        return (
            select(repairs.c.technician_id)
            .where(repairs.c.unit_id == unit_id)
            .order_by(repairs.c.resolved_at.desc())
            .limit(1)
            .scalar_subquery()
        )

    async def _last_served_by(self, conn: AsyncConnection, unit_id: str | None) -> str | None:
        if unit_id is None:
            return None
        return (await conn.execute(select(self._last_served_query(unit_id)))).scalar()

    async def _record_repair(self, conn: AsyncConnection, job: Job, row: dict, event: WorkResolved) -> None:
        unit_id = event.unit_id or row["unit_id"]
        if unit_id is None:
            return
        if event.fault_code:
            previous = (
                await conn.execute(
                    select(repairs.c.ticket_id)
                    .where(
                        repairs.c.unit_id == unit_id,
                        repairs.c.fault_code == event.fault_code,
                        repairs.c.ticket_id != job.ticket_id,
                        repairs.c.resolved_at >= event.occurred_at - REPEAT_WINDOW,
                    )
                    .order_by(repairs.c.resolved_at.desc())
                    .limit(1)
                )
            ).scalar()
            if previous is not None:
                job.flag_repeat_repair(unit_id, event.fault_code, previous, _now())
        await conn.execute(
            insert(repairs)
            .values(
                ticket_id=job.ticket_id,
                unit_id=unit_id,
                fault_code=event.fault_code,
                technician_id=event.technician_id,
                resolved_at=event.occurred_at,
            )
            .on_conflict_do_nothing()
        )

    async def _row(self, conn: AsyncConnection, ticket_id: str, *, lock: bool = False) -> dict | None:
        query = select(jobs).where(jobs.c.ticket_id == ticket_id)
        if lock:
            query = query.with_for_update()
        row = (await conn.execute(query)).mappings().first()
        return dict(row) if row else None

    async def _load(self, conn: AsyncConnection, row: dict) -> Job:
        history = await self.runtime.store.load_events(conn, f"job:{row['ticket_id']}")
        if not history:
            return Job.new(
                ticket_id=row["ticket_id"],
                job_id=row["job_id"],
                region=row["region"],
                product_line=row["product_line"],
                severity=row["severity"],
                on_site_required=row["on_site_required"],
            )
        return Job.replay(
            history,
            region=row["region"],
            product_line=row["product_line"],
            severity=row["severity"],
            on_site_required=row["on_site_required"],
        )

    async def _save(
        self,
        conn: AsyncConnection,
        job: Job,
        metadata: EventMetadata,
        uow=None,
        loads: dict[str, int] | None = None,
    ) -> None:
        """Append the job's new events; update its row and the technicians' loads in one statement."""
        new_events = list(job.pending_events)
        envelopes = await self.runtime.store.append(
            conn,
            stream_id=job.stream_id,
            stream_type=STREAM_TYPE,
            expected_version=job.version - len(new_events),
            new_events=new_events,
            metadata=metadata,
            key=job.ticket_id,
        )
        job.pending_events.clear()
        if uow is not None:
            uow.published.extend(envelopes)
        changes = {t: d for t, d in (loads or {}).items() if d}
        await conn.execute(
            _SAVE_JOB,
            {
                "ticket_id": job.ticket_id,
                "status": str(job.status),
                "technician_id": job.technician_id,
                "level": job.level,
                "queued": job.technician_id is None and job.status not in TERMINAL,
                "version": job.version,
                "ids": list(changes),
                "deltas": list(changes.values()),
            },
        )

    @staticmethod
    def _metadata(envelope: Envelope) -> EventMetadata:
        return envelope.caused("dispatch")


def job_document(job: Job, row: dict) -> dict:
    return {
        "ticket_id": job.ticket_id,
        "job_id": job.job_id,
        "status": str(job.status),
        "technician_id": job.technician_id,
        "level": job.level,
        "severity": row.get("severity"),
        "region": row.get("region"),
        "product_line": row.get("product_line"),
        "on_site_required": job.on_site_required,
        "diagnosis": job.diagnosis,
        "fault_code": job.fault_code,
        "parts_requested": list(job.parts_requested),
        "version": job.version,
        "history": [
            {
                "step": s.name,
                "technician_id": s.technician_id,
                "occurred_at": s.occurred_at.isoformat(),
                "late": s.late,
            }
            for s in job.steps_in_order()
        ],
    }
