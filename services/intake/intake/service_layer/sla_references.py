"""Policies and calendars a contract or a ticket names must exist at the SLA monitor (SPEC 2.2):
an unknown one is refused (422 naming `policy_id` / `calendar_id`), never replaced by the default.

Intake learns which exist from the SLA monitor's `PolicyPublished` / `CalendarPublished` events.
The default policy and the 7x24 calendar always exist there (seeded at its start, protected from
deletion), so a contract or ticket that names no policy (and gets the default) works on a fresh
system even before intake has read the SLA topic. A named policy the SLA monitor has not published
yet, e.g. just created, is refused until its event arrives: the message says to retry.
"""

from __future__ import annotations

from intake.adapters.archive_facts import DEFAULT_CALENDAR, DEFAULT_POLICY
from intake.domain.errors import InvalidCommand
from intake.service_layer.unit_of_work import IntakeUnitOfWork

ALWAYS_KNOWN = {("policy", DEFAULT_POLICY), ("calendar", DEFAULT_CALENDAR)}


async def require_known_sla_references(
    uow: IntakeUnitOfWork,
    *,
    policy_id: str | None,
    calendar_id: str | None,
    contract_id: str | None = None,
) -> None:
    """Refuse a policy or calendar the SLA monitor has not published (None: not named, not checked)."""
    named = [("policy", policy_id), ("calendar", calendar_id)]
    wanted = [(kind, ref) for kind, ref in named if ref is not None and (kind, ref) not in ALWAYS_KNOWN]
    if not wanted:
        return
    known = await uow.sla_references.known(wanted)
    for kind, ref in wanted:
        if (kind, ref) not in known:
            whose = f"contract {contract_id} names " if contract_id else ""
            raise InvalidCommand(
                f"unknown {kind}: {whose}{kind} '{ref}', which the SLA monitor has not published"
                f" (define it there first; a {kind} just defined is known here within seconds, retry)",
                field=f"{kind}_id",
            )
