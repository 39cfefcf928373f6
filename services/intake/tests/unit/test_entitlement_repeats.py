"""Repeated faults in warranty (SPEC 2.3): the standard rule and the contracts' variants.

Seed 004 (standard): the same fault repaired twice within one year and failing again -> free
replacement or repair, at the customer's choice. Seed 001 (``strict_monthly``): the same fault again
within one month -> free replacement. Seed 000 (``six_months_new_unit``): any two faults not caused by
people within 6 months of acceptance -> a brand-new unit. Excluded causes never count. Windows are
counted as the law counts them; the shipped China calendar is used throughout.
"""

from datetime import date

import pytest
from intake.domain.entitlement import (
    Cause,
    Charges,
    ContractTerms,
    FaultReport,
    PriorRepair,
    Remedy,
    UnitFacts,
    Variant,
    assess,
)

ACCEPTED = date(2024, 3, 4)  # Monday
UNIT = UnitFacts(acceptance_date=ACCEPTED, warranty_months=36)
STANDARD = ContractTerms()
STRICT = ContractTerms(variant=Variant.STRICT_MONTHLY)
SIX = ContractTerms(variant=Variant.SIX_MONTHS_NEW_UNIT)
FREE = Charges(parts=False, labour=False, travel=False)
EXCLUDED = [Cause.HUMAN_DAMAGE, Cause.FORCE_MAJEURE]


def _assess(reported_on, *, unit=UNIT, terms=STANDARD, cause=Cause.PERFORMANCE_FAULT, code="E1", priors=()):
    fault = FaultReport(reported_on=reported_on, fault_code=code, cause=cause)
    return assess(unit=unit, terms=terms, fault=fault, prior_repairs=priors)


def _repair(on, code="E1", cause=Cause.PERFORMANCE_FAULT, reported_on=None):
    return PriorRepair(fault_code=code, resolved_on=on, cause=cause, reported_on=reported_on)


# standard (seed 004): the customer chooses replacement or repair

TWICE = [_repair(date(2024, 6, 1)), _repair(date(2024, 8, 1))]


def test_same_fault_repaired_twice_and_failing_again_offers_replacement_or_repair():
    result = _assess(date(2024, 10, 1), priors=TWICE)
    assert result.replacement_due
    assert result.remedies == (Remedy.REPLACEMENT, Remedy.REPAIR)
    assert result.charges == FREE
    assert not result.quote_before_work
    assert (
        "fault E1 already repaired 2 times within one year (2024-06-01, 2024-08-01) and failing again: "
        "free replacement with the same model or better, or repair" in result.reasons
    )
    assert "the customer chooses the remedy: replacement or repair" in result.reasons


def test_repeat_inside_the_return_window_keeps_return_and_exchange_too():
    priors = [_repair(date(2024, 3, 5)), _repair(date(2024, 3, 6))]
    result = _assess(date(2024, 3, 8), priors=priors)
    assert result.remedies == (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPLACEMENT, Remedy.REPAIR)


def test_one_year_window_ends_on_the_corresponding_day_of_a_short_february():
    # Repaired 29 February 2024: one year later has no 29 February, so the window ends 28 February 2025.
    unit = UnitFacts(acceptance_date=date(2024, 1, 15), warranty_months=36)
    priors = [_repair(date(2024, 2, 29)), _repair(date(2024, 12, 1))]
    assert _assess(date(2025, 2, 28), unit=unit, priors=priors).replacement_due
    late = _assess(date(2025, 3, 1), unit=unit, priors=priors)
    assert not late.replacement_due
    assert late.remedies == (Remedy.REPAIR,)


def test_a_repair_on_the_day_of_the_report_counts():
    priors = [_repair(date(2024, 9, 1)), _repair(date(2024, 10, 1))]
    assert _assess(date(2024, 10, 1), priors=priors).replacement_due


def test_one_repair_within_a_year_is_not_enough_under_the_standard_rule():
    result = _assess(date(2024, 10, 1), priors=[_repair(date(2024, 9, 30))])
    assert not result.replacement_due
    assert result.remedies == (Remedy.REPAIR,)


@pytest.mark.parametrize("cause", EXCLUDED)
def test_an_earlier_repair_of_damage_by_people_or_force_majeure_does_not_count(cause):
    priors = [_repair(date(2024, 6, 1), cause=cause), _repair(date(2024, 8, 1))]
    result = _assess(date(2024, 10, 1), priors=priors)
    assert not result.replacement_due
    assert result.remedies == (Remedy.REPAIR,)
    assert (
        "1 earlier repair(s) of damage by people or force majeure: not counted as repeats" in result.reasons
    )


def test_an_undiagnosed_earlier_cause_counts():
    priors = [_repair(date(2024, 6, 1), cause=Cause.UNKNOWN), _repair(date(2024, 8, 1))]
    assert _assess(date(2024, 10, 1), priors=priors).replacement_due


@pytest.mark.parametrize("cause", EXCLUDED)
@pytest.mark.parametrize("terms", [STANDARD, STRICT, SIX])
def test_an_excluded_current_fault_gets_no_free_remedy_whatever_the_history(cause, terms):
    priors = [_repair(date(2024, 6, 1)), _repair(date(2024, 6, 2)), _repair(date(2024, 6, 3), "E2")]
    result = _assess(date(2024, 6, 4), terms=terms, cause=cause, priors=priors)
    assert result.in_warranty and result.excluded
    assert result.cause is cause
    assert result.remedies == (Remedy.PAID_REPAIR,)
    assert not result.replacement_due
    assert result.charges == Charges(parts=True, labour=True, travel=True)


# strict_monthly (seed 001): the same fault again within one month -> replacement


def test_strict_monthly_same_fault_again_within_a_month_is_replacement_without_a_repair_option():
    result = _assess(date(2024, 10, 1), terms=STRICT, priors=[_repair(date(2024, 9, 1))])
    assert result.replacement_due
    assert result.remedies == (Remedy.REPLACEMENT,)
    assert (
        "fault E1 recurred within one month of its repair on 2024-09-01 (strict_monthly contract): "
        "free replacement with a unit of the same grade" in result.reasons
    )


def test_strict_monthly_window_from_31_january_ends_on_29_february():
    unit = UnitFacts(acceptance_date=date(2024, 1, 15), warranty_months=12)
    priors = [_repair(date(2024, 1, 31))]
    assert _assess(date(2024, 2, 29), unit=unit, terms=STRICT, priors=priors).remedies == (
        Remedy.REPLACEMENT,
    )
    assert _assess(date(2024, 3, 1), unit=unit, terms=STRICT, priors=priors).remedies == (Remedy.REPAIR,)


@pytest.mark.parametrize("cause", EXCLUDED)
def test_strict_monthly_does_not_count_an_excluded_repair(cause):
    result = _assess(date(2024, 10, 1), terms=STRICT, priors=[_repair(date(2024, 9, 20), cause=cause)])
    assert not result.replacement_due


def test_strict_monthly_with_the_standard_rule_also_met_leaves_the_customer_the_choice():
    priors = [_repair(date(2024, 8, 1)), _repair(date(2024, 9, 20))]
    result = _assess(date(2024, 10, 1), terms=STRICT, priors=priors)
    assert result.remedies == (Remedy.REPLACEMENT, Remedy.REPAIR)
    assert any("strict_monthly" in r for r in result.reasons)
    assert any("already repaired 2 times" in r for r in result.reasons)


# six_months_new_unit (seed 000): any two faults not caused by people in 6 months -> a brand-new unit

UNIT_2Y = UnitFacts(acceptance_date=ACCEPTED, warranty_months=24)  # window: through 2024-09-04


def test_any_two_faults_within_six_months_of_acceptance_earn_a_brand_new_unit():
    result = _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=SIX, code="E2", priors=[_repair(date(2024, 5, 1))])
    assert result.replacement_due
    assert result.remedies == (Remedy.NEW_UNIT,)
    assert result.charges == FREE
    assert (
        "2 faults not caused by people within 6 months of acceptance (through 2024-09-04; "
        "six_months_new_unit contract): a brand-new unit" in result.reasons
    )


def test_six_month_window_last_day_is_the_corresponding_day():
    priors = [_repair(date(2024, 5, 1))]
    assert _assess(date(2024, 9, 4), unit=UNIT_2Y, terms=SIX, priors=priors).remedies == (Remedy.NEW_UNIT,)
    after = _assess(date(2024, 9, 5), unit=UNIT_2Y, terms=SIX, priors=priors)
    assert not after.replacement_due
    assert after.remedies == (Remedy.REPAIR,)


def test_six_month_window_from_31_august_ends_on_28_february():
    unit = UnitFacts(acceptance_date=date(2024, 8, 31), warranty_months=24)
    priors = [_repair(date(2024, 10, 8), "E7")]
    assert _assess(date(2025, 2, 28), unit=unit, terms=SIX, priors=priors).replacement_due
    assert not _assess(date(2025, 3, 1), unit=unit, terms=SIX, priors=priors).replacement_due


def test_a_single_fault_within_six_months_is_a_repair():
    result = _assess(date(2024, 5, 1), unit=UNIT_2Y, terms=SIX)
    assert result.remedies == (Remedy.REPAIR,)
    assert not result.replacement_due


def test_a_fault_without_a_code_counts_as_a_fault():
    result = _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=SIX, code=None, priors=[_repair(date(2024, 5, 1))])
    assert result.remedies == (Remedy.NEW_UNIT,)


def test_an_earlier_fault_outside_the_window_does_not_count():
    # Reported and repaired on day 6 months + 1: too late to count, even for a report a day later.
    priors = [_repair(date(2024, 9, 5))]
    assert not _assess(date(2024, 9, 6), unit=UNIT_2Y, terms=SIX, priors=priors).replacement_due


def test_a_fault_reported_before_acceptance_does_not_count_even_if_repaired_after():
    priors = [_repair(date(2024, 3, 10), reported_on=date(2024, 3, 1))]
    assert not _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=SIX, priors=priors).replacement_due
    reported_after = [_repair(date(2024, 3, 10), reported_on=date(2024, 3, 5))]
    assert _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=SIX, priors=reported_after).replacement_due


@pytest.mark.parametrize("cause", EXCLUDED)
def test_six_months_does_not_count_an_excluded_earlier_fault(cause):
    priors = [_repair(date(2024, 5, 1), cause=cause)]
    result = _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=SIX, priors=priors)
    assert not result.replacement_due
    assert result.remedies == (Remedy.REPAIR,)
    assert any("not counted as repeats" in r for r in result.reasons)


def test_six_months_with_the_standard_rule_also_met_leaves_repair_as_the_choice():
    priors = [_repair(date(2024, 5, 1)), _repair(date(2024, 6, 1))]
    result = _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=SIX, priors=priors)
    assert result.remedies == (Remedy.NEW_UNIT, Remedy.REPAIR)


def test_after_six_months_the_standard_rule_still_applies():
    priors = [_repair(date(2024, 8, 1)), _repair(date(2024, 10, 1))]
    result = _assess(date(2024, 11, 1), unit=UNIT_2Y, terms=SIX, priors=priors)
    assert result.remedies == (Remedy.REPLACEMENT, Remedy.REPAIR)


def test_the_six_months_rule_belongs_to_its_variant_only():
    priors = [_repair(date(2024, 5, 1), "E2")]
    assert not _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=STANDARD, priors=priors).replacement_due
    assert not _assess(date(2024, 7, 1), unit=UNIT_2Y, terms=STRICT, priors=priors).replacement_due


def test_a_repeat_out_of_warranty_is_a_paid_repair_whatever_the_variant():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=3)  # ends 2024-06-04, inside 6 months
    priors = [_repair(date(2024, 5, 1)), _repair(date(2024, 5, 20))]
    for terms in (STANDARD, STRICT, SIX):
        result = _assess(date(2024, 6, 5), unit=unit, terms=terms, priors=priors)
        assert not result.in_warranty
        assert result.remedies == (Remedy.PAID_REPAIR,)
        assert not result.replacement_due
