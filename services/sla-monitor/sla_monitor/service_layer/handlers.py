"""One handler per command: load through the unit of work's adapters, let the domain decide, save.
Handlers never commit and never run SQL; the bus commits (on the consumer's transaction for inputs)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.domain_errors import NotFound
from shared.messagebus import Handler
from sla_monitor.domain import rules
from sla_monitor.domain.clocks import SlaTicket
from sla_monitor.domain.commands import (
    ApplyTicketInput,
    DeleteCalendar,
    DeletePolicy,
    FireDueThresholds,
    RecordInputsRead,
    SaveCalendar,
    SavePolicy,
    SeedCatalog,
)
from sla_monitor.domain.errors import PROTECTED, IdMismatch, Protected
from sla_monitor.domain.events import CalendarPublished, PolicyPublished, SlaEvent
from sla_monitor.domain.inputs import Opened
from sla_monitor.domain.seeds import SEED_CALENDARS, SEED_POLICIES

log = logging.getLogger(__name__)
RETRY_FAILED_AFTER = timedelta(seconds=60)


async def apply_ticket_input(command: ApplyTicketInput, uow: Any) -> None:
    """Move the ticket's clocks at the input's time; an input before the opening waits for it."""
    await uow.catalog.fresh()
    event = command.input
    await uow.tickets.serialise(event.ticket_id)  # before keeping: another replica's input is then seen
    await uow.inputs.keep(
        event_id=command.event_id,
        ticket_id=event.ticket_id,
        event_type=command.event_type,
        occurred_at=command.occurred_at,
        data=command.data,
    )
    known = await uow.tickets.get(event.ticket_id)
    new = known is None
    if new and isinstance(event, Opened):
        known = await _refused(uow, event)  # an unknown policy or calendar: kept, not measured
    ticket, emitted = rules.apply(known, event, uow.catalog.policy, uow.catalog.calendar)
    if ticket is None:
        return  # kept: applied when the ticket's opening arrives (topics are not ordered)
    if new:
        for early in await uow.inputs.others(ticket.ticket_id, besides=command.event_id):
            emitted += rules.apply(ticket, early, uow.catalog.policy, uow.catalog.calendar)[1]
        uow.tickets.add(ticket)
    await _save(uow, ticket, emitted)


async def _refused(uow: Any, event: Opened) -> SlaTicket | None:
    """A ticket naming an unknown policy or calendar, recorded as not measured (None: both known)."""
    reason = await uow.catalog.refusal(event.policy_id, event.calendar_id)
    if reason is None:
        return None
    return SlaTicket.refused(
        ticket_id=event.ticket_id,
        policy_id=event.policy_id,
        calendar_id=event.calendar_id,
        severity=event.severity,
        customer_id=event.customer_id,
        region=event.region,
        opened_at=event.at,
        reason=reason,
    )


async def fire_due_thresholds(command: FireDueThresholds, uow: Any) -> list[datetime]:
    """Emit what fell due; returns when each fired ticket was due. A ticket whose thresholds cannot be
    computed is retried later and does not stall the others."""
    await uow.catalog.fresh()
    horizon = await uow.watermarks.horizon(now=command.now, grace_s=command.grace_s)
    fired: list[tuple[SlaTicket, list[SlaEvent], datetime | None]] = []
    for ticket in await uow.tickets.due(horizon, command.limit):
        policy, calendar = uow.catalog.policy(ticket.policy_id), uow.catalog.calendar(ticket.calendar_id)
        try:
            emitted = ticket.due(horizon, policy, calendar)
            next_due = ticket.next_due(policy, calendar)
        except Exception:
            log.exception(
                "could not fire due thresholds; retrying later", extra={"ticket_id": ticket.ticket_id}
            )
            await uow.tickets.postpone(ticket.ticket_id, horizon + RETRY_FAILED_AFTER)
            continue
        fired.append((ticket, emitted, next_due))
    await uow.tickets.save_all(fired)
    return [uow.tickets.due_at(ticket.ticket_id) for ticket, _, _ in fired]


async def record_inputs_read(command: RecordInputsRead, uow: Any) -> None:
    await uow.watermarks.advance(command.partitions)
    if command.topics is not None:
        await uow.watermarks.match(command.topics)  # only partitions that exist gate the timer


async def _save(uow: Any, ticket: SlaTicket, emitted: list[SlaEvent]) -> None:
    policy, calendar = uow.catalog.policy(ticket.policy_id), uow.catalog.calendar(ticket.calendar_id)
    await uow.tickets.save(ticket, emitted, next_due=ticket.next_due(policy, calendar))


async def save_policy(command: SavePolicy, uow: Any) -> bool:
    """True when the policy was created (False: replaced)."""
    if command.policy.policy_id != command.policy_id:
        raise IdMismatch("policy_id")
    created = await uow.policies.put(command.policy_id, command.document)
    await uow.policies.publish(command.policy_id, _published_policy(command.policy))
    return bool(created)


async def delete_policy(command: DeletePolicy, uow: Any) -> None:
    if command.policy_id in PROTECTED:
        raise Protected("The default policy cannot be deleted", field="policy_id")
    if not await uow.policies.remove(command.policy_id):
        raise NotFound("policy", command.policy_id, field="policy_id")


async def save_calendar(command: SaveCalendar, uow: Any) -> bool:
    if command.calendar.calendar_id != command.calendar_id:
        raise IdMismatch("calendar_id")
    created = await uow.calendars.put(command.calendar_id, command.document)
    await uow.calendars.publish(command.calendar_id, _published_calendar(command.calendar_id))
    return bool(created)


async def delete_calendar(command: DeleteCalendar, uow: Any) -> None:
    if command.calendar_id in PROTECTED:
        raise Protected("The 7x24 calendar cannot be deleted", field="calendar_id")
    if not await uow.calendars.remove(command.calendar_id):
        raise NotFound("calendar", command.calendar_id, field="calendar_id")


async def seed_catalog(command: SeedCatalog, uow: Any) -> None:
    """Store the shipped policies and calendars that are missing, and publish each one never published
    (idempotent: re-seeding an unchanged catalogue publishes nothing, a fresh database all)."""
    for policy in SEED_POLICIES:
        await uow.policies.add_missing(policy)
        if not await uow.policies.ever_announced(policy.policy_id):
            await uow.policies.publish(policy.policy_id, _published_policy(policy))
    for calendar in SEED_CALENDARS:
        await uow.calendars.add_missing(calendar)
        if not await uow.calendars.ever_announced(calendar.calendar_id):
            await uow.calendars.publish(calendar.calendar_id, _published_calendar(calendar.calendar_id))


def _published_policy(policy: Any) -> PolicyPublished:
    return PolicyPublished(policy_id=policy.policy_id, name=policy.name, occurred_at=datetime.now(UTC))


def _published_calendar(calendar_id: str) -> CalendarPublished:
    return CalendarPublished(calendar_id=calendar_id, occurred_at=datetime.now(UTC))


HANDLERS: dict[type, Handler] = {
    ApplyTicketInput: apply_ticket_input,
    FireDueThresholds: fire_due_thresholds,
    RecordInputsRead: record_inputs_read,
    SavePolicy: save_policy,
    DeletePolicy: delete_policy,
    SaveCalendar: save_calendar,
    DeleteCalendar: delete_calendar,
    SeedCatalog: seed_catalog,
}
