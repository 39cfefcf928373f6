"""The ticket records the whole decision in `EntitlementAssessed`; older events still read.

The fields added within version 1 (cause, on-site term, consent) are optional with defaults, so an
event stored before them loads unchanged.
"""

from datetime import UTC, date, datetime

from intake.domain.entitlement import Cause, ContractTerms, FaultReport, UnitFacts, assess
from intake.domain.events import (
    Caller,
    Channel,
    EntitlementAssessed,
    Severity,
    TicketAwaitingCustomer,
    TicketContext,
)
from intake.domain.ticket import Ticket

from shared.registry import EventRegistry

NOW = datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
CONTEXT = TicketContext(
    customer_id="C-1",
    contract_id="K-1",
    policy_id="default",
    calendar_id="7x24",
    severity=Severity.P3,
    region="Jiangsu",
    site_id="S-1",
    unit_id="U-1",
    product_line="network",
    on_site_covered=True,
)


def _ticket() -> Ticket:
    return Ticket.open(
        ticket_id="T-1",
        context=CONTEXT,
        channel=Channel.PHONE,
        reported_at=NOW,
        description="link down",
        caller=Caller(name="Wang", phone="+8613800138000", contact_id=None, registered=False),
        now=NOW,
    )


def test_the_ticket_records_cause_on_site_term_and_consent():
    unit = UnitFacts(acceptance_date=date(2024, 3, 4), warranty_months=24, on_site_service_months=12)
    terms = ContractTerms(consent_required_before_work=True)
    entitlement = assess(unit=unit, terms=terms, fault=FaultReport.at(NOW, fault_code="E1"))
    ticket = _ticket()
    ticket.record_entitlement(entitlement, NOW, fault_code="E1")
    event, paused = ticket.pending_events[-2:]  # waiting for consent pauses the ticket (test_quote_consent)
    assert isinstance(event, EntitlementAssessed)
    assert isinstance(paused, TicketAwaitingCustomer)
    assert event.cause == "performance_fault"
    assert event.on_site_service_ends_on == date(2025, 3, 4)
    assert event.on_site_service_covered is False
    assert event.travel_chargeable and not event.parts_chargeable
    assert event.awaits_consent is True
    assert event.reasons == entitlement.reasons
    registry = EventRegistry()
    registry.register(EntitlementAssessed)
    assert registry.load("EntitlementAssessed", registry.dump(event)) == event


def test_an_entitlement_event_stored_before_the_new_fields_still_loads():
    ticket = _ticket()
    unit = UnitFacts(acceptance_date=date(2024, 3, 4), warranty_months=24)
    fault = FaultReport.at(NOW, fault_code="E1", cause=Cause.HUMAN_DAMAGE)
    ticket.record_entitlement(assess(unit=unit, terms=ContractTerms(), fault=fault), NOW)
    registry = EventRegistry()
    registry.register(EntitlementAssessed)
    payload = registry.dump(ticket.pending_events[-1])
    for added in ("cause", "on_site_service_ends_on", "on_site_service_covered", "awaits_consent"):
        del payload[added]
    old = registry.load("EntitlementAssessed", payload)
    assert old.cause is None
    assert old.on_site_service_ends_on is None
    assert old.on_site_service_covered is None
    assert old.awaits_consent is False
    assert old.excluded is True
