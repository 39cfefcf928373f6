"""The customer's consent to the quote for chargeable work (SPEC 2.3), the ticket's side.

Where the contract says so, chargeable work waits for the customer's consent (`awaits_consent` on
`EntitlementAssessed`). While it waits, the ticket is paused `awaiting_customer` (the SLA monitor
pauses the clocks its policy lets pause for that reason) and dispatch sends nobody. The customer's
answer is recorded once per quote: an acceptance resumes the ticket (dispatch staffs the job from
`QuoteAccepted` on); a refusal cancels it, the way any cancellation ends a ticket.

A later assessment (e.g. after the field's diagnosis) that charges nothing the customer has not
accepted already needs no new answer; one that charges more asks again. A mixin of `Ticket`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from intake.domain.errors import IllegalTransition, InvalidCommand
from intake.domain.events import (
    EntitlementAssessed,
    QuoteAccepted,
    QuoteAnswerChannel,
    QuoteDeclined,
    TicketAwaitingCustomer,
    TicketCancelled,
    TicketResumed,
)
from intake.domain.ticket_status import UNFINISHED, WORKING, Status
from shared.aggregate import Aggregate

AWAITING_CONSENT = "the customer's consent to the quote for chargeable work"
DECLINED = "the customer declined the quote"


def charged(entitlement: EntitlementAssessed) -> tuple[str, ...]:
    """What the assessment makes the customer pay for, in a fixed order."""
    flags = (
        ("parts", entitlement.parts_chargeable),
        ("labour", entitlement.labour_chargeable),
        ("travel", entitlement.travel_chargeable),
    )
    return tuple(name for name, chargeable in flags if chargeable)


def _amount(quoted_amount: str | None) -> str | None:
    if quoted_amount is None:
        return None
    try:
        amount = Decimal(quoted_amount)
    except InvalidOperation:
        raise InvalidCommand("quoted_amount must be a decimal number", field="quoted_amount") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidCommand("quoted_amount must be zero or more", field="quoted_amount")
    return str(amount)


class QuoteConsent(Aggregate):
    entitlement: EntitlementAssessed | None
    quote_answer: QuoteAccepted | QuoteDeclined | None
    status: Status

    def _base(self, now: datetime, **context_changes: Any) -> dict[str, Any]:  # pragma: no cover
        raise NotImplementedError  # the Ticket's: the ticket's id, the time, its context

    @property
    def awaiting_consent(self) -> bool:
        """The latest assessment waits for consent and no acceptance covers what it charges."""
        entitlement = self.entitlement
        if entitlement is None or not entitlement.awaits_consent or self.status not in UNFINISHED:
            return False
        accepted = self.quote_answer if isinstance(self.quote_answer, QuoteAccepted) else None
        return accepted is None or not set(charged(entitlement)) <= set(accepted.charges)

    def _pause_for_consent(self, now: datetime) -> None:
        """After an assessment: a working ticket waiting for consent pauses (awaiting the customer)."""
        if self.awaiting_consent and self.status in WORKING:
            self._record(TicketAwaitingCustomer(**self._base(now), reason=AWAITING_CONSENT))

    def answer_quote(
        self,
        *,
        accepted: bool,
        recorded_by: str,
        answered_via: QuoteAnswerChannel,
        answered_at: datetime,
        now: datetime,
        quote_reference: str | None = None,
        quoted_amount: str | None = None,
        currency: str | None = None,
        note: str = "",
    ) -> None:
        """Record the customer's answer; accepted: the ticket resumes; declined: it is cancelled."""
        if self.status not in UNFINISHED:
            raise IllegalTransition("answer the quote of", str(self.status))
        if not self.awaiting_consent:
            accepted = isinstance(self.quote_answer, QuoteAccepted)
            state = "quote_accepted" if accepted else "not_awaiting_consent"
            raise IllegalTransition("answer the quote of", state)
        if answered_at > now:
            raise InvalidCommand("answered_at is in the future", field="answered_at")
        entitlement = self.entitlement
        assert entitlement is not None
        amount = _amount(quoted_amount)
        answer = QuoteAccepted if accepted else QuoteDeclined
        self._record(
            answer(
                **self._base(now),
                recorded_by=recorded_by,
                answered_via=QuoteAnswerChannel(answered_via),
                answered_at=answered_at,
                assessed_at=entitlement.occurred_at,
                charges=charged(entitlement),
                quote_reference=quote_reference,
                quoted_amount=amount,
                currency=(currency or "CNY") if amount is not None else None,
                note=note,
            )
        )
        if not accepted:
            reason = f"{DECLINED}: {note}" if note else DECLINED
            self._record(TicketCancelled(**self._base(now), reason=reason))
        elif self.status == Status.AWAITING_CUSTOMER:  # what it waited for: the customer's answer
            self._record(TicketResumed(**self._base(now), paused=str(self.status)))
