"""The customer's answer to the quote through the bus on the in-memory unit of work: opening an
out-of-warranty ticket under a contract that requires consent says so on `TicketOpened` and pauses
the ticket; AcceptQuote resumes it, DeclineQuote cancels it; wrong states and versions are refused."""

from datetime import UTC, datetime, timedelta

import pytest
from intake.domain import commands as c
from intake.domain.errors import IllegalTransition, InvalidCommand, VersionMismatch
from intake.domain.events import Channel, QuoteAccepted, QuoteDeclined, Severity, TicketOpened


async def _opened(intake, unit_id: str = "U-OLD", consent: bool = True) -> dict:
    intake.customer()
    intake.archive.rows["contracts"]["K-1"]["consent_required_before_work"] = consent
    return await intake.handle(
        c.OpenTicket(
            customer_id="C-1",
            channel=Channel.PHONE,
            severity=Severity.P3,
            description="lift stopped",
            caller_name="Wang",
            caller_phone="13800138000",
            unit_id=unit_id,
        )
    )


async def test_an_out_of_warranty_ticket_under_a_consent_contract_opens_paused_awaiting_consent(intake):
    document = await _opened(intake)
    ticket_id = document["ticket_id"]
    assert intake.types(ticket_id) == ["TicketOpened", "EntitlementAssessed", "TicketAwaitingCustomer"]
    opened = intake.streams.events(ticket_id)[0]
    assert isinstance(opened, TicketOpened) and opened.awaits_consent is True
    assert (document["status"], document["awaiting_consent"], document["quote_decision"]) == (
        "awaiting_customer",
        True,
        None,
    )
    assert document["entitlement"]["awaits_consent"] is True


async def test_in_warranty_or_without_the_clause_nothing_waits(intake):
    free = await _opened(intake, unit_id="U-1")
    assert intake.types(free["ticket_id"]) == ["TicketOpened", "EntitlementAssessed"]
    assert intake.streams.events(free["ticket_id"])[0].awaits_consent is False
    no_clause = await _opened(intake, consent=False)
    assert (no_clause["status"], no_clause["awaiting_consent"]) == ("open", False)


async def test_accepting_the_quote_resumes_the_ticket_and_names_who_recorded_it(intake):
    ticket_id = (await _opened(intake))["ticket_id"]
    answered_at = datetime.now(UTC) - timedelta(minutes=5)
    document = await intake.handle(
        c.AcceptQuote(
            ticket_id=ticket_id,
            expected_version=3,
            recorded_by="clerk-7",
            answered_via=c.QuoteAnswerChannel.PHONE,
            answered_at=answered_at,
            quote_reference="Q-1",
            quoted_amount="1500.00",
            currency="CNY",
        )
    )
    assert intake.types(ticket_id)[-2:] == ["QuoteAccepted", "TicketResumed"]
    accepted = intake.streams.events(ticket_id)[-2]
    assert isinstance(accepted, QuoteAccepted)
    assert (accepted.recorded_by, accepted.answered_at, accepted.quoted_amount) == (
        "clerk-7",
        answered_at,
        "1500.00",
    )
    assert (document["status"], document["awaiting_consent"]) == ("open", False)
    assert document["quote_decision"]["decision"] == "accepted"
    assert document["quote_decision"]["answered_via"] == "phone" and document["version"] == 5


async def test_declining_the_quote_cancels_the_ticket(intake):
    ticket_id = (await _opened(intake))["ticket_id"]
    document = await intake.handle(
        c.DeclineQuote(ticket_id=ticket_id, recorded_by="clerk-7", answered_via=c.QuoteAnswerChannel.EMAIL)
    )
    assert intake.types(ticket_id)[-2:] == ["QuoteDeclined", "TicketCancelled"]
    declined = intake.streams.events(ticket_id)[-2]
    assert isinstance(declined, QuoteDeclined) and declined.answered_at == declined.occurred_at  # now
    assert (document["status"], document["quote_decision"]["decision"]) == ("cancelled", "declined")


async def test_an_answer_is_refused_when_nothing_waits_or_it_was_given_or_the_version_is_stale(intake):
    free = (await _opened(intake, unit_id="U-1"))["ticket_id"]
    accept = {"recorded_by": "clerk-7", "answered_via": c.QuoteAnswerChannel.PHONE}
    with pytest.raises(IllegalTransition) as nothing_waits:
        await intake.handle(c.AcceptQuote(ticket_id=free, **accept))
    assert nothing_waits.value.state == "not_awaiting_consent"
    waiting = (await _opened(intake))["ticket_id"]
    with pytest.raises(VersionMismatch):
        await intake.handle(c.AcceptQuote(ticket_id=waiting, expected_version=2, **accept))
    with pytest.raises(InvalidCommand) as future:
        later = datetime.now(UTC) + timedelta(hours=1)
        await intake.handle(c.AcceptQuote(ticket_id=waiting, answered_at=later, **accept))
    assert future.value.field == "answered_at"
    await intake.handle(c.AcceptQuote(ticket_id=waiting, **accept))
    with pytest.raises(IllegalTransition) as twice:
        await intake.handle(c.DeclineQuote(ticket_id=waiting, **accept))
    assert twice.value.state == "quote_accepted"
    assert intake.types(waiting)[-2:] == ["QuoteAccepted", "TicketResumed"]
