"""Intake's and the SLA monitor's events, translated into dispatch commands and run by the bus on the
consumer's connection (its transaction also holds the processed-events rows: applied once)."""

from __future__ import annotations

from typing import Any

from dispatch.adapters import inbound
from dispatch.domain.commands import (
    CloseJob,
    EscalateJob,
    HandOffCase,
    OpenJob,
    ReclassifyJob,
    RecordQuoteAnswer,
    ReviewConsentHold,
)
from dispatch.service_layer.handlers.roles import JobNotOpenedYet
from shared.consumer import ArrivedEarly, Handler
from shared.envelope import Envelope
from shared.messagebus import MessageBus

ACTOR = "dispatch"


def opened(event: inbound.TicketOpened) -> OpenJob:
    context = event.context
    return OpenJob(
        ticket_id=event.ticket_id,
        severity=context.severity,
        region=context.region,
        product_line=context.product_line,
        on_site_covered=context.on_site_covered,
        customer_id=context.customer_id,
        unit_id=context.unit_id,
        account_engineer_id=event.account_engineer_id,
        opened_at=event.occurred_at,
        awaits_consent=event.awaits_consent,
    )


def classified(event: inbound.TicketClassified) -> ReclassifyJob:
    return ReclassifyJob(ticket_id=event.ticket_id, severity=event.severity)


def cancelled(event: inbound.TicketCancelled) -> CloseJob:
    return CloseJob(ticket_id=event.ticket_id, reason="cancelled")


def resolved(event: inbound.TicketResolved) -> CloseJob:
    return CloseJob(ticket_id=event.ticket_id, reason="resolved_by_office")


def assessed(event: inbound.EntitlementAssessed) -> ReviewConsentHold:
    return ReviewConsentHold(
        ticket_id=event.ticket_id, awaits_consent=event.awaits_consent, occurred_at=event.occurred_at
    )


def quote_accepted(event: inbound.QuoteAccepted) -> RecordQuoteAnswer:
    return RecordQuoteAnswer(ticket_id=event.ticket_id, accepted=True, occurred_at=event.occurred_at)


def quote_declined(event: inbound.QuoteDeclined) -> RecordQuoteAnswer:
    return RecordQuoteAnswer(ticket_id=event.ticket_id, accepted=False, occurred_at=event.occurred_at)


def escalated(event: inbound.EscalationRaised) -> EscalateJob:
    return EscalateJob(
        ticket_id=event.ticket_id,
        level=event.level,
        reason=event.reason,
        region=event.region,
        reassign_field_job=event.reassign_field_job,
        occurred_at=event.occurred_at,
    )


def handed_off(event: inbound.CaseHandedOff) -> HandOffCase:
    return HandOffCase(
        ticket_id=event.ticket_id,
        from_level=event.from_level,
        to_level=event.to_level,
        reason=event.reason,
        occurred_at=event.occurred_at,
    )


TRANSLATIONS: dict[str, Any] = {
    "TicketOpened": opened,
    "TicketClassified": classified,
    "TicketCancelled": cancelled,
    "TicketResolved": resolved,
    "EntitlementAssessed": assessed,
    "QuoteAccepted": quote_accepted,
    "QuoteDeclined": quote_declined,
    "EscalationRaised": escalated,
    "CaseHandedOff": handed_off,
}


def handlers(bus: MessageBus) -> dict[str, Handler]:
    """One consumer handler per event type: translate, then run the command in the poll's transaction."""

    def handler(translate: Any) -> Handler:
        async def handle(conn: Any, event: Any, envelope: Envelope) -> None:
            try:
                await bus.handle(translate(event), metadata=envelope.caused(ACTOR), conn=conn)
            except JobNotOpenedYet as early:  # kept, and applied when the ticket's opening arrives
                raise ArrivedEarly(key=early.ticket_id, waiting_for="TicketOpened") from early

        return handle

    return {event_type: handler(translate) for event_type, translate in TRANSLATIONS.items()}
