"""The customer's consent to the quote before chargeable work (SPEC 2.3), on the ticket alone.

Waiting for consent pauses the ticket (awaiting the customer: the SLA clocks the policy lets pause
stop); the answer is recorded once per quote, with who recorded it, how and when the customer
answered, and which assessment it answers; acceptance resumes, refusal cancels.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from intake.domain.entitlement import Cause, ContractTerms, FaultReport, UnitFacts, assess
from intake.domain.errors import IllegalTransition, InvalidCommand
from intake.domain.events import (
    Caller,
    Channel,
    QuoteAccepted,
    QuoteAnswerChannel,
    QuoteDeclined,
    Severity,
    TicketAwaitingCustomer,
    TicketCancelled,
    TicketContext,
    TicketResumed,
)
from intake.domain.ticket import Status, Ticket

from shared.registry import EventRegistry

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
CONTEXT = TicketContext(
    customer_id="C-1",
    contract_id="K-1",
    policy_id="default",
    calendar_id="7x24",
    severity=Severity.P3,
    region="SH",
    site_id="S-1",
    unit_id="U-1",
    product_line="elevator",
    on_site_covered=True,
)
OLD_UNIT = UnitFacts(acceptance_date=date(2019, 1, 1), warranty_months=12)  # long out of warranty
IN_WARRANTY = UnitFacts(acceptance_date=date(2026, 1, 1), warranty_months=24)
CONSENT = ContractTerms(consent_required_before_work=True)
CONSENT_MAINTAINED = ContractTerms(consent_required_before_work=True, paid_maintenance_until=date(2030, 1, 1))


def _entitlement(unit=OLD_UNIT, terms=CONSENT, cause=Cause.PERFORMANCE_FAULT):
    return assess(unit=unit, terms=terms, fault=FaultReport.at(NOW, cause=cause))


def _ticket(entitlement=None) -> Ticket:
    ticket = Ticket.open(
        ticket_id="T-1",
        context=CONTEXT,
        channel=Channel.PHONE,
        reported_at=NOW,
        description="lift stopped",
        caller=Caller(name="Wang", phone="+8613800138000", contact_id=None, registered=False),
        now=NOW,
        awaits_consent=entitlement is not None and entitlement.awaits_consent,
    )
    if entitlement is not None:
        ticket.record_entitlement(entitlement, NOW)
    return ticket


def _answer(ticket: Ticket, accepted: bool = True, **changes) -> None:
    values = {
        "accepted": accepted,
        "recorded_by": "clerk-1",
        "answered_via": QuoteAnswerChannel.PHONE,
        "answered_at": NOW + timedelta(hours=1),
        "now": LATER,
    }
    ticket.answer_quote(**{**values, **changes})


def test_chargeable_work_awaiting_consent_pauses_the_ticket_awaiting_the_customer():
    ticket = _ticket(_entitlement())
    assert [type(e).__name__ for e in ticket.pending_events] == [
        "TicketOpened",
        "EntitlementAssessed",
        "TicketAwaitingCustomer",
    ]
    assert ticket.pending_events[0].awaits_consent is True
    assert ticket.status == Status.AWAITING_CUSTOMER and ticket.awaiting_consent


def test_free_work_or_a_contract_without_consent_neither_waits_nor_pauses():
    for entitlement in (_entitlement(unit=IN_WARRANTY), _entitlement(terms=ContractTerms())):
        ticket = _ticket(entitlement)
        assert not ticket.awaiting_consent and ticket.status == Status.OPEN
        assert not any(isinstance(e, TicketAwaitingCustomer) for e in ticket.pending_events)


def test_acceptance_is_recorded_with_its_terms_and_resumes_the_ticket():
    ticket = _ticket(_entitlement())
    _answer(ticket, quote_reference="Q-2026-001", quoted_amount="1280.5", currency="CNY", note="fax follows")
    accepted, resumed = ticket.pending_events[-2:]
    assert isinstance(accepted, QuoteAccepted) and isinstance(resumed, TicketResumed)
    assert resumed.paused == "awaiting_customer"
    assert (accepted.recorded_by, accepted.answered_via, accepted.answered_at) == (
        "clerk-1",
        QuoteAnswerChannel.PHONE,
        NOW + timedelta(hours=1),
    )
    assert accepted.assessed_at == NOW and accepted.charges == ("parts", "labour", "travel")
    assert (accepted.quote_reference, accepted.quoted_amount, accepted.currency) == (
        "Q-2026-001",
        "1280.5",
        "CNY",
    )
    assert ticket.status == Status.OPEN and not ticket.awaiting_consent
    registry = EventRegistry()
    registry.register(QuoteAccepted)
    assert registry.load("QuoteAccepted", registry.dump(accepted)) == accepted


def test_refusal_cancels_the_ticket_as_any_cancellation():
    ticket = _ticket(_entitlement())
    _answer(ticket, accepted=False, answered_via=QuoteAnswerChannel.SIGNATURE, note="too dear")
    declined, cancelled = ticket.pending_events[-2:]
    assert isinstance(declined, QuoteDeclined) and declined.answered_via == "signature"
    assert isinstance(cancelled, TicketCancelled)
    assert cancelled.reason == "the customer declined the quote: too dear"
    assert ticket.status == Status.CANCELLED and not ticket.awaiting_consent


def test_an_amount_without_a_currency_is_in_yuan_and_none_without_an_amount():
    ticket = _ticket(_entitlement())
    _answer(ticket, quoted_amount="300")
    assert (ticket.quote_answer.quoted_amount, ticket.quote_answer.currency) == ("300", "CNY")
    other = _ticket(_entitlement())
    _answer(other, currency="USD")
    assert (other.quote_answer.quoted_amount, other.quote_answer.currency) == (None, None)


def test_a_ticket_not_awaiting_consent_refuses_an_answer_naming_its_state():
    ticket = _ticket(_entitlement(unit=IN_WARRANTY))
    with pytest.raises(IllegalTransition) as free:
        _answer(ticket)
    assert (free.value.status, free.value.state) == (409, "not_awaiting_consent")
    no_assessment = _ticket()
    with pytest.raises(IllegalTransition):
        _answer(no_assessment)


def test_a_quote_is_answered_once():
    ticket = _ticket(_entitlement())
    _answer(ticket)
    with pytest.raises(IllegalTransition) as again:
        _answer(ticket, accepted=False)
    assert again.value.state == "quote_accepted"
    declined = _ticket(_entitlement())
    _answer(declined, accepted=False)
    with pytest.raises(IllegalTransition) as after:
        _answer(declined)
    assert after.value.state == "cancelled"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"answered_at": LATER + timedelta(minutes=1)}, "answered_at"),
        ({"quoted_amount": "twelve"}, "quoted_amount"),
        ({"quoted_amount": "-1"}, "quoted_amount"),
        ({"quoted_amount": "NaN"}, "quoted_amount"),
    ],
)
def test_bad_answers_are_refused_naming_the_field(changes, field):
    ticket = _ticket(_entitlement())
    with pytest.raises(InvalidCommand) as refused:
        _answer(ticket, **changes)
    assert refused.value.field == field
    assert ticket.awaiting_consent and len(ticket.pending_events) == 3  # nothing recorded


def test_a_reassessment_charging_nothing_new_needs_no_new_answer_but_one_charging_more_does():
    ticket = _ticket(_entitlement(terms=CONSENT_MAINTAINED))  # paid maintenance: parts only
    assert ticket.quote_answer is None and ticket.awaiting_consent
    _answer(ticket)
    assert ticket.quote_answer.charges == ("parts",)
    ticket.record_entitlement(_entitlement(terms=CONSENT_MAINTAINED), LATER)  # the same charges
    assert not ticket.awaiting_consent and ticket.status == Status.OPEN
    ticket.record_entitlement(_entitlement(terms=CONSENT_MAINTAINED, cause=Cause.HUMAN_DAMAGE), LATER)
    assert ticket.awaiting_consent and ticket.status == Status.AWAITING_CUSTOMER  # labour, travel too
    assert isinstance(ticket.pending_events[-1], TicketAwaitingCustomer)


def test_the_answer_and_the_wait_survive_a_replay():
    ticket = _ticket(_entitlement())
    assert Ticket.replay(ticket.pending_events).awaiting_consent
    _answer(ticket, quoted_amount="99.90")
    replayed = Ticket.replay(ticket.pending_events)
    assert not replayed.awaiting_consent and replayed.status == Status.OPEN
    assert isinstance(replayed.quote_answer, QuoteAccepted) and replayed.quote_answer.quoted_amount == "99.90"
