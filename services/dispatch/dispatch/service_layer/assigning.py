"""The assignment decision as handlers take it: who fits a job now, from the directory's profiles,
the technicians' current loads and the roster; assign the job to them, or queue it.

The ranking itself is pure (`domain.assignment.choose`); this adds what it needs from the unit of
work, and the decision metrics.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from prometheus_client import Counter, Histogram

from dispatch.adapters.directory import OnShift
from dispatch.domain.assignment import JobNeed, choose
from dispatch.domain.job import Job
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork

DECISIONS = Counter("dispatch_assignment_decisions_total", "Assignment decisions", ["outcome"])
DECIDE_SECONDS = Histogram("dispatch_decision_seconds", "Time to decide one assignment")


def now() -> datetime:
    return datetime.now(UTC)


def on_shift_now(on_shift: OnShift) -> Callable[[str], bool]:
    at = now()
    return lambda technician_id: on_shift(technician_id, at)


_ASK: Any = object()  # "look it up": the caller does not know who last served the unit


async def try_assign(
    uow: DispatchUnitOfWork, job: Job, *, on_site: bool, queue: bool = True, last_served_by: str | None = _ASK
) -> bool:
    """Assign ``job`` to whoever fits best; if nobody does, queue a new job (``queue``) or leave it.
    ``last_served_by``: who last repaired the job's unit, when the caller has it already. A job held
    for the customer's consent is never staffed (False)."""
    if job.awaiting_consent:
        return False
    if last_served_by is _ASK:
        last_served_by = await uow.repairs.last_served_by(job.unit_id)
    need = JobNeed(
        ticket_id=job.ticket_id,
        region=job.region or "",
        product_line=job.product_line,
        on_site=on_site and job.region is not None,
        account_engineer_id=job.account_engineer_id,
        last_served_by=last_served_by,
    )
    started = time.perf_counter()
    candidates = await uow.directory.candidates(need)
    decision = choose(
        need,
        candidates,
        load=await uow.job_rows.loads(candidates),
        on_shift=on_shift_now(await uow.directory.on_shift()),
    )
    DECIDE_SECONDS.observe(time.perf_counter() - started)
    if decision.technician_id is None:
        DECISIONS.labels("queued").inc()
        if queue and job.version == 0:
            job.queue(f"nobody fits (region {need.region or '-'}, skill {need.product_line or '-'})", now())
        return False
    profile = await uow.directory.profile(decision.technician_id)
    level = max(job.level, profile.level if profile else 1)
    job.assign(decision.technician_id, level, decision.reason, now())
    DECISIONS.labels("assigned").inc()
    return True
