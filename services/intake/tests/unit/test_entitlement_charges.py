"""Charges, the on-site service term and consent before chargeable work (SPEC 2.3).

Seed 004: a 15-year warranty with 5 years of free on-site service — after the fifth year the unit is
still in warranty (parts and labour free) but travel is chargeable. Seed 001: out-of-warranty costs
are told to the customer first and the work is done after the customer agrees.
"""

from datetime import date

import pytest
from intake.domain.entitlement import (
    Cause,
    Charges,
    ContractTerms,
    FaultReport,
    Remedy,
    UnitFacts,
    assess,
    on_site_service_end,
    warranty_end,
)

from shared.calendars.china import china_calendar

FREE = Charges(parts=False, labour=False, travel=False)
TRAVEL_ONLY = Charges(parts=False, labour=False, travel=True)
ALL_CHARGED = Charges(parts=True, labour=True, travel=True)
STANDARD = ContractTerms()
CONSENT = ContractTerms(consent_required_before_work=True)
# accepted Monday 4 March 2024: 24-month warranty through 2026-03-04, on site through 2025-03-04
UNIT = UnitFacts(acceptance_date=date(2024, 3, 4), warranty_months=24, on_site_service_months=12)


def _assess(reported_on, *, unit=UNIT, terms=STANDARD, cause=Cause.PERFORMANCE_FAULT):
    fault = FaultReport(reported_on=reported_on, fault_code="E1", cause=cause)
    return assess(unit=unit, terms=terms, fault=fault)


# the on-site service term


def test_seed_004_fifteen_year_warranty_with_five_years_on_site():
    unit = UnitFacts(acceptance_date=date(2021, 6, 1), warranty_months=180, on_site_service_months=60)
    assert on_site_service_end(unit) == date(2026, 6, 1)  # a Monday, a working day
    last_on_site = _assess(date(2026, 6, 1), unit=unit)
    assert last_on_site.on_site_service_covered
    assert last_on_site.charges == FREE
    assert last_on_site.on_site_service_ends_on == date(2026, 6, 1)
    after = _assess(date(2026, 6, 2), unit=unit)
    assert after.in_warranty
    assert not after.on_site_service_covered
    assert after.charges == TRAVEL_ONLY
    assert after.remedies == (Remedy.REPAIR,)
    assert after.quote_before_work
    assert not after.notify_sales  # still in warranty: no sale
    assert (
        f"in warranty until {warranty_end(unit).isoformat()}: parts and labour free; "
        "free on-site service ended 2026-06-01: travel chargeable as the contract says" in after.reasons
    )


def test_on_site_term_ending_on_national_day_moves_to_the_next_working_day():
    unit = UnitFacts(acceptance_date=date(2025, 10, 1), warranty_months=36, on_site_service_months=12)
    assert china_calendar().is_holiday(date(2026, 10, 1))
    assert on_site_service_end(unit) == date(2026, 10, 8)
    assert _assess(date(2026, 10, 8), unit=unit).on_site_service_covered
    assert not _assess(date(2026, 10, 9), unit=unit).on_site_service_covered


def test_days_out_of_service_extend_the_on_site_term_like_the_warranty():
    unit = UnitFacts(
        acceptance_date=date(2024, 3, 4),
        warranty_months=24,
        on_site_service_months=12,
        days_out_of_service=10,
    )
    assert on_site_service_end(unit) == date(2025, 3, 14)  # Friday
    assert _assess(date(2025, 3, 14), unit=unit).charges == FREE
    assert _assess(date(2025, 3, 15), unit=unit).charges == TRAVEL_ONLY


def test_paid_maintenance_covers_travel_after_the_on_site_term():
    terms = ContractTerms(paid_maintenance_until=date(2025, 12, 31))
    result = _assess(date(2025, 6, 1), terms=terms)
    assert result.in_warranty and not result.on_site_service_covered
    assert result.charges == FREE
    assert not result.quote_before_work
    assert any("travel covered by paid maintenance until 2025-12-31" in r for r in result.reasons)


def test_without_a_separate_term_on_site_service_lasts_as_long_as_the_warranty():
    unit = UnitFacts(acceptance_date=date(2024, 3, 4), warranty_months=12)
    assert on_site_service_end(unit) is None
    last_day = _assess(date(2025, 3, 4), unit=unit)
    assert last_day.on_site_service_ends_on is None
    assert last_day.on_site_service_covered
    assert last_day.charges == FREE
    after = _assess(date(2025, 3, 5), unit=unit)
    assert not after.on_site_service_covered
    assert after.charges == ALL_CHARGED


def test_an_on_site_term_longer_than_the_warranty_changes_nothing_in_warranty():
    unit = UnitFacts(acceptance_date=date(2024, 3, 4), warranty_months=12, on_site_service_months=24)
    assert _assess(date(2025, 3, 4), unit=unit).charges == FREE
    out = _assess(date(2025, 3, 5), unit=unit)
    assert not out.in_warranty
    assert not out.on_site_service_covered
    assert out.charges == ALL_CHARGED


@pytest.mark.parametrize("cause", [Cause.HUMAN_DAMAGE, Cause.FORCE_MAJEURE])
def test_an_excluded_cause_is_chargeable_even_within_the_on_site_term(cause):
    result = _assess(date(2024, 6, 1), cause=cause)
    assert result.on_site_service_covered
    assert result.charges == ALL_CHARGED


def test_a_negative_on_site_term_is_rejected():
    unit = UnitFacts(acceptance_date=date(2024, 3, 4), warranty_months=12, on_site_service_months=-1)
    with pytest.raises(ValueError):
        on_site_service_end(unit)
    with pytest.raises(ValueError):
        _assess(date(2024, 6, 1), unit=unit)


# consent to the quote before chargeable work


def test_out_of_warranty_work_waits_for_consent_where_the_contract_says_so():
    result = _assess(date(2026, 3, 5), terms=CONSENT)
    assert not result.in_warranty
    assert result.quote_before_work
    assert result.awaits_consent
    assert (
        "the contract requires the customer's consent to the quote: chargeable work waits" in result.reasons
    )


def test_without_the_contract_flag_chargeable_work_is_quoted_but_does_not_wait():
    result = _assess(date(2026, 3, 5))
    assert result.quote_before_work
    assert not result.awaits_consent
    assert not any("consent" in r for r in result.reasons)


def test_free_work_never_waits_for_consent():
    result = _assess(date(2024, 6, 1), terms=CONSENT)
    assert result.charges == FREE
    assert not result.awaits_consent


@pytest.mark.parametrize(
    ("reported_on", "cause", "terms"),
    [
        (date(2025, 6, 1), Cause.PERFORMANCE_FAULT, CONSENT),  # in warranty, travel after the on-site term
        (date(2024, 6, 1), Cause.HUMAN_DAMAGE, CONSENT),  # in warranty, excluded cause
        (  # out of warranty, paid maintenance: parts still at cost
            date(2026, 3, 5),
            Cause.PERFORMANCE_FAULT,
            ContractTerms(consent_required_before_work=True, paid_maintenance_until=date(2027, 1, 1)),
        ),
    ],
)
def test_anything_chargeable_waits_for_consent(reported_on, cause, terms):
    result = _assess(reported_on, cause=cause, terms=terms)
    assert result.charges != FREE
    assert result.awaits_consent
