"""The ticket: an event-sourced aggregate with an explicit lifecycle.

open ──await_customer/await_parts──▶ awaiting_* ──resume──▶ open
  │                                       │
  └────────────── resolve ◀───────────────┘
                     │
resolved ──close──▶ closed          resolved/closed ──reopen──▶ open
open/awaiting_* ──cancel──▶ cancelled

Chargeable work that waits for the customer's consent pauses the ticket (awaiting_customer) at the
assessment; the answer resumes or cancels it (`quote`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from intake.domain.entitlement import Entitlement
from intake.domain.errors import IllegalTransition, InvalidCommand
from intake.domain.events import (
    Caller,
    Channel,
    EntitlementAssessed,
    QuoteAccepted,
    QuoteDeclined,
    SatisfactionRecorded,
    Severity,
    TicketAwaitingCustomer,
    TicketAwaitingParts,
    TicketCancelled,
    TicketClassified,
    TicketClosed,
    TicketContext,
    TicketEvent,
    TicketNoteAdded,
    TicketOpened,
    TicketReopened,
    TicketResolved,
    TicketResumed,
)
from intake.domain.quote import QuoteConsent
from intake.domain.ticket_status import PAUSED, UNFINISHED, WORKING, Status

__all__ = ["PAUSED", "UNFINISHED", "WORKING", "Status", "Ticket", "covers_on_site", "is_dissatisfied"]
DISSATISFIED_AT_OR_BELOW = 2


def is_dissatisfied(score: int) -> bool:
    """A callback answer this low opens a complaint (SPEC 2.7)."""
    return score <= DISSATISFIED_AT_OR_BELOW


def covers_on_site(
    region: str | None,
    on_site_regions: list[str] | tuple[str, ...] | None,
    *,
    has_contract: bool,
    remote_only_elsewhere: bool,
) -> bool:
    """On-site service where the contract names the region, or anywhere when it is not remote-only
    elsewhere; without a contract, remote guidance only."""
    if not has_contract:
        return False
    return region in (on_site_regions or ()) or not remote_only_elsewhere


class Ticket(QuoteConsent):
    def __init__(self) -> None:
        super().__init__()
        self.ticket_id = ""
        self.status = Status.OPEN
        self.context: TicketContext | None = None
        self.channel: Channel | None = None
        self.caller: Caller | None = None
        self.description = ""
        self.reported_at: datetime | None = None
        self.opened_at: datetime | None = None
        self.updated_at: datetime | None = None
        self.fault_code: str | None = None
        self.sales_rep_id: str | None = None
        self.entitlement: EntitlementAssessed | None = None
        self.quote_answer: QuoteAccepted | QuoteDeclined | None = None
        self.resolution: str | None = None
        self.satisfaction: int | None = None
        self.notes: list[TicketNoteAdded] = []

    # ---- construction -------------------------------------------------------------
    @classmethod
    def open(
        cls,
        *,
        ticket_id: str,
        context: TicketContext,
        channel: Channel,
        reported_at: datetime,
        description: str,
        caller: Caller,
        now: datetime,
        fault_code: str | None = None,
        account_engineer_id: str | None = None,
        sales_rep_id: str | None = None,
        awaits_consent: bool = False,
    ) -> Ticket:
        """``awaits_consent``: the entitlement assessed with the opening waits for the customer's
        consent (said on the opening itself, so dispatch never staffs the job before it)."""
        if reported_at > now:
            raise InvalidCommand("reported_at is in the future", field="reported_at")
        ticket = cls()
        ticket._record(
            TicketOpened(
                ticket_id=ticket_id,
                occurred_at=now,
                context=context,
                channel=channel,
                reported_at=reported_at,
                description=description,
                caller=caller,
                fault_code=fault_code,
                account_engineer_id=account_engineer_id,
                sales_rep_id=sales_rep_id,
                awaits_consent=awaits_consent,
            )
        )
        return ticket

    # ---- commands ------------------------------------------------------------------------------
    def classify(self, severity: Severity, reason: str, now: datetime) -> None:
        self._require("classify", UNFINISHED)
        if severity == self.severity:
            raise InvalidCommand(f"the ticket is already {severity}", field="severity")
        self._record(
            TicketClassified(
                **self._base(now, severity=severity),
                previous_severity=self.severity,
                severity=severity,
                reason=reason,
            )
        )

    def add_note(self, text: str, author: str, now: datetime) -> None:
        self._require("add a note to", UNFINISHED | {Status.RESOLVED})
        self._record(TicketNoteAdded(**self._base(now), text=text, author=author))

    def record_entitlement(
        self,
        entitlement: Entitlement,
        now: datetime,
        *,
        fault_code: str | None = None,
        days_out_of_service: int = 0,
        out_of_service_reasons: tuple[str, ...] = (),
    ) -> None:
        """The decision, with the warranty's extension and its reasons (days out of service)."""
        self._require("assess entitlement of", UNFINISHED | {Status.RESOLVED})
        self._record(
            EntitlementAssessed(
                **self._base(now),
                in_warranty=entitlement.in_warranty,
                warranty_ends_on=entitlement.warranty_ends_on,
                excluded=entitlement.excluded,
                remedies=tuple(str(r) for r in entitlement.remedies),
                replacement_due=entitlement.replacement_due,
                parts_chargeable=entitlement.charges.parts,
                labour_chargeable=entitlement.charges.labour,
                travel_chargeable=entitlement.charges.travel,
                quote_before_work=entitlement.quote_before_work,
                notify_sales=entitlement.notify_sales,
                sales_rep_id=self.sales_rep_id if entitlement.notify_sales else None,
                reasons=entitlement.reasons,
                fault_code=fault_code,
                cause=str(entitlement.cause),
                on_site_service_ends_on=entitlement.on_site_service_ends_on,
                on_site_service_covered=entitlement.on_site_service_covered,
                awaits_consent=entitlement.awaits_consent,
                days_out_of_service=days_out_of_service,
                out_of_service_reasons=out_of_service_reasons,
            )
        )
        self._pause_for_consent(now)

    def await_customer(self, reason: str, now: datetime) -> None:
        self._require("wait for the customer on", WORKING)
        self._record(TicketAwaitingCustomer(**self._base(now), reason=reason))

    def await_parts(self, reason: str, parts: tuple[str, ...], now: datetime) -> None:
        self._require("wait for parts on", WORKING | {Status.AWAITING_CUSTOMER})
        self._record(TicketAwaitingParts(**self._base(now), reason=reason, parts=parts))

    def resume(self, now: datetime) -> None:
        self._require("resume", PAUSED)
        self._record(TicketResumed(**self._base(now), paused=str(self.status)))

    def resolve(
        self,
        resolution: str,
        resolved_by: str,
        now: datetime,
        *,
        technician_id: str | None = None,
        fault_code: str | None = None,
    ) -> None:
        self._require("resolve", UNFINISHED)
        self._record(
            TicketResolved(
                **self._base(now),
                resolution=resolution,
                resolved_by=resolved_by,
                technician_id=technician_id,
                fault_code=fault_code or self.fault_code,
            )
        )

    def reopen(self, reason: str, now: datetime) -> None:
        self._require("reopen", {Status.RESOLVED, Status.CLOSED})
        self._record(TicketReopened(**self._base(now), reason=reason))

    def record_satisfaction(self, score: int, comment: str, now: datetime) -> bool:
        """Returns True when the answer is a dissatisfied one (the caller files a complaint)."""
        self._require("record satisfaction on", {Status.RESOLVED, Status.CLOSED})
        if not 1 <= score <= 5:
            raise InvalidCommand("score must be between 1 and 5", field="score")
        self._record(SatisfactionRecorded(**self._base(now), score=score, comment=comment))
        return is_dissatisfied(score)

    def close(self, callback_note: str, now: datetime) -> None:
        self._require("close", {Status.RESOLVED})
        self._record(TicketClosed(**self._base(now), callback_note=callback_note))

    def cancel(self, reason: str, now: datetime) -> None:
        self._require("cancel", UNFINISHED)
        self._record(TicketCancelled(**self._base(now), reason=reason))

    # ---- state ---------------------------------------------------------------------------------
    @property
    def severity(self) -> Severity:
        assert self.context is not None
        return self.context.severity

    def _require(self, action: str, allowed: frozenset[Status] | set[Status]) -> None:
        if self.status not in allowed:
            raise IllegalTransition(action, str(self.status))

    def _base(self, now: datetime, **context_changes: Any) -> dict[str, Any]:
        assert self.context is not None
        if self.updated_at is not None and now < self.updated_at:
            now = self.updated_at  # a ticket's history never runs backwards
        context = replace(self.context, **context_changes) if context_changes else self.context
        return {"ticket_id": self.ticket_id, "occurred_at": now, "context": context}

    def _apply(self, event: TicketEvent) -> None:
        self.context = event.context
        self.updated_at = event.occurred_at
        match event:
            case TicketOpened():
                self.ticket_id = event.ticket_id
                self.channel, self.caller = event.channel, event.caller
                self.description, self.reported_at = event.description, event.reported_at
                self.opened_at = event.occurred_at
                self.fault_code, self.sales_rep_id = event.fault_code, event.sales_rep_id
            case TicketAwaitingCustomer():
                self.status = Status.AWAITING_CUSTOMER
            case TicketAwaitingParts():
                self.status = Status.AWAITING_PARTS
            case TicketResumed() | TicketReopened():
                self.status = Status.OPEN
                self.resolution = None if isinstance(event, TicketReopened) else self.resolution
            case TicketResolved():
                self.status, self.resolution = Status.RESOLVED, event.resolution
                self.fault_code = event.fault_code or self.fault_code
            case TicketClosed():
                self.status = Status.CLOSED
            case TicketCancelled():
                self.status = Status.CANCELLED
            case EntitlementAssessed():
                self.entitlement = event
                self.fault_code = event.fault_code or self.fault_code
            case QuoteAccepted() | QuoteDeclined():
                self.quote_answer = event
            case SatisfactionRecorded():
                self.satisfaction = event.score
            case TicketNoteAdded():
                self.notes.append(event)
            case TicketClassified():
                pass
