"""Hand-off versus reassignment: which SLA signal moves the field job, and how a choice is explained.

SPEC 2.4/2.5: the field job moves (supervisor reassignment) only when the assignee missed a promise
that is theirs, response or on-site arrival; the SLA monitor says so with ``reassign_field_job``.
Every other escalation, and the tier hand-off, changes who answers for the case (the case owner).
Events published before the flag existed carry none: for them the reason decides, as the SLA monitor
wrote it ("breach:<clock>", "overdue:<clock>", "handoff", "complaint").
"""

from __future__ import annotations

from dispatch.domain.assignment import Decision

# The assignee's own promises: missing one of these is what moves the field job.
ASSIGNEE_PROMISES = frozenset({"breach:response", "breach:on_site"})


def moves_field_job(reason: str, reassign_field_job: bool | None) -> bool:
    """Whether an escalation reassigns the field job (``None``: an event from before the flag)."""
    if reassign_field_job is not None:
        return reassign_field_job
    return reason in ASSIGNEE_PROMISES


def rules_of(decision: Decision, *, level: int, region: str | None, product_line: str | None) -> str:
    """Which rules chose the person, in words an event can carry (SPEC 2.4: it says so)."""
    if decision.reason.startswith("escalation_fallback_level_"):
        chosen = f"level {decision.reason.rsplit('_', 1)[1]} (nobody of level {level} fits)"
    else:
        chosen = f"level {level}"
    return (
        f"{chosen}: on shift, skill {product_line or 'any'}, covers {region or 'any region'}; "
        f"least loaded of {decision.candidates}"
    )
