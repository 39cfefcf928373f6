from datetime import date

import pytest
from intake.domain.entitlement import (
    Cause,
    Charges,
    ContractTerms,
    FaultReport,
    HolidayCalendar,
    PriorRepair,
    Remedy,
    UnitFacts,
    Variant,
    add_months,
    assess,
    warranty_end,
)

ACCEPTED = date(2024, 3, 4)  # Monday; 12 months -> last day Monday 2025-03-03
UNIT = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12)
STANDARD = ContractTerms()
STRICT = ContractTerms(variant=Variant.STRICT_MONTHLY)
NO_HOLIDAYS = HolidayCalendar()
FREE = Charges(parts=False, labour=False, travel=False)
ALL_CHARGED = Charges(parts=True, labour=True, travel=True)


def _assess(
    reported_on,
    *,
    unit=UNIT,
    terms=STANDARD,
    cause=Cause.PERFORMANCE_FAULT,
    fault_code="E1",
    prior_repairs=(),
    calendar=NO_HOLIDAYS,
):
    return assess(
        unit=unit,
        terms=terms,
        fault=FaultReport(reported_on=reported_on, fault_code=fault_code, cause=cause),
        prior_repairs=prior_repairs,
        calendar=calendar,
    )


def _repair(on, code="E1"):
    return PriorRepair(fault_code=code, resolved_on=on)


# add_months


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year clamp
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 11, 30), 2, date(2025, 1, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 3, 31), 180, date(2039, 3, 31)),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


# warranty_end


def test_warranty_end_is_day_before_anniversary():
    assert warranty_end(UNIT, NO_HOLIDAYS) == date(2025, 3, 3)


def test_warranty_end_month_end_acceptance():
    unit = UnitFacts(acceptance_date=date(2024, 1, 31), warranty_months=1)
    # end_exclusive 2024-02-29 -> last day Wednesday 2024-02-28
    assert warranty_end(unit, NO_HOLIDAYS) == date(2024, 2, 28)


@pytest.mark.parametrize("months", [12, 24, 36, 60, 180])
def test_warranty_end_for_common_terms(months):
    unit = UnitFacts(acceptance_date=date(2024, 7, 2), warranty_months=months)  # Tuesday
    expected = add_months(date(2024, 7, 2), months) - (date(2024, 7, 2) - date(2024, 7, 1))
    assert warranty_end(unit, HolidayCalendar(weekend=frozenset())) == expected


def test_warranty_extended_by_days_out_of_service():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, days_out_of_service=10)
    assert warranty_end(unit, NO_HOLIDAYS) == date(2025, 3, 13)
    assert _assess(date(2025, 3, 13), unit=unit).in_warranty
    assert not _assess(date(2025, 3, 14), unit=unit).in_warranty


def test_last_day_on_holiday_moves_to_next_working_day():
    calendar = HolidayCalendar(holidays=frozenset({date(2025, 3, 3)}))
    assert warranty_end(UNIT, calendar) == date(2025, 3, 4)
    assert _assess(date(2025, 3, 4), calendar=calendar).in_warranty
    assert not _assess(date(2025, 3, 5), calendar=calendar).in_warranty


def test_last_day_on_weekend_moves_to_monday():
    unit = UnitFacts(acceptance_date=date(2024, 3, 2), warranty_months=12)  # last day Sat 2025-03-01
    assert warranty_end(unit, NO_HOLIDAYS) == date(2025, 3, 3)


def test_holiday_friday_then_weekend_moves_to_monday():
    unit = UnitFacts(acceptance_date=date(2024, 3, 1), warranty_months=12)  # last day Fri 2025-02-28
    calendar = HolidayCalendar(holidays=frozenset({date(2025, 2, 28)}))
    assert warranty_end(unit, calendar) == date(2025, 3, 3)


def test_makeup_workday_saturday_is_not_shifted():
    unit = UnitFacts(acceptance_date=date(2024, 3, 2), warranty_months=12)
    calendar = HolidayCalendar(makeup_workdays=frozenset({date(2025, 3, 1)}))
    assert warranty_end(unit, calendar) == date(2025, 3, 1)


def test_extension_lands_on_holiday_then_shifts():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, days_out_of_service=1)
    calendar = HolidayCalendar(holidays=frozenset({date(2025, 3, 4)}))
    assert warranty_end(unit, calendar) == date(2025, 3, 5)


def test_calendar_working_days():
    calendar = HolidayCalendar(
        holidays=frozenset({date(2025, 10, 1)}), makeup_workdays=frozenset({date(2025, 9, 28)})
    )
    assert not calendar.is_working_day(date(2025, 10, 1))  # Wednesday holiday
    assert calendar.is_working_day(date(2025, 9, 28))  # Sunday make-up day
    assert not calendar.is_working_day(date(2025, 9, 27))  # Saturday
    assert calendar.next_working_day(date(2025, 9, 30)) == date(2025, 9, 30)
    assert calendar.next_working_day(date(2025, 10, 1)) == date(2025, 10, 2)


@pytest.mark.parametrize(
    "unit",
    [
        UnitFacts(acceptance_date=ACCEPTED, warranty_months=-1),
        UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, days_out_of_service=-1),
    ],
)
def test_invalid_unit_facts_rejected(unit):
    with pytest.raises(ValueError):
        warranty_end(unit, NO_HOLIDAYS)
    with pytest.raises(ValueError):
        _assess(date(2024, 4, 1), unit=unit)


def test_report_before_purchase_rejected():
    with pytest.raises(ValueError):
        _assess(date(2024, 3, 3))


# in warranty vs out of warranty


def test_last_day_of_warranty_is_covered():
    result = _assess(date(2025, 3, 3))
    assert result.in_warranty
    assert result.warranty_ends_on == date(2025, 3, 3)
    assert result.remedies == (Remedy.REPAIR,)
    assert result.charges == FREE
    assert not result.quote_before_work
    assert not result.notify_sales
    assert not result.excluded


def test_day_after_warranty_is_paid_and_notifies_sales():
    result = _assess(date(2025, 3, 4))
    assert not result.in_warranty
    assert result.remedies == (Remedy.PAID_REPAIR,)
    assert result.charges == ALL_CHARGED
    assert result.quote_before_work
    assert result.notify_sales
    assert not result.replacement_due
    assert any("notify" in r for r in result.reasons)


# purchase windows


def test_day_7_allows_return_exchange_repair():
    result = _assess(date(2024, 3, 10))
    assert result.remedies == (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR)
    assert "within 7 days of purchase: return, exchange or repair" in result.reasons


def test_day_1_is_the_purchase_date():
    assert Remedy.RETURN in _assess(ACCEPTED).remedies


def test_day_8_allows_exchange_or_repair():
    result = _assess(date(2024, 3, 11))
    assert result.remedies == (Remedy.EXCHANGE, Remedy.REPAIR)


def test_day_15_allows_exchange_or_repair():
    assert _assess(date(2024, 3, 18)).remedies == (Remedy.EXCHANGE, Remedy.REPAIR)


def test_day_16_repair_only():
    result = _assess(date(2024, 3, 19))
    assert result.remedies == (Remedy.REPAIR,)
    assert result.charges == FREE


def test_purchase_date_takes_precedence_over_acceptance():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, purchase_date=date(2024, 2, 20))
    assert _assess(date(2024, 2, 26), unit=unit).remedies[0] is Remedy.RETURN  # day 7
    assert _assess(date(2024, 2, 27), unit=unit).remedies[0] is Remedy.EXCHANGE  # day 8
    assert _assess(date(2024, 3, 5), unit=unit).remedies == (Remedy.EXCHANGE, Remedy.REPAIR)
    assert _assess(date(2024, 3, 6), unit=unit).remedies == (Remedy.REPAIR,)  # day 16


def test_unknown_cause_gets_repair_only_in_window():
    result = _assess(date(2024, 3, 5), cause=Cause.UNKNOWN)
    assert result.remedies == (Remedy.REPAIR,)
    assert result.charges == FREE


# repeated faults


def test_second_repair_of_same_fault_is_still_a_repair():
    result = _assess(date(2024, 10, 1), prior_repairs=[_repair(date(2024, 6, 1))])
    assert not result.replacement_due
    assert result.remedies == (Remedy.REPAIR,)


def test_third_failure_of_same_fault_is_replacement():
    priors = [_repair(date(2024, 6, 1)), _repair(date(2024, 8, 1))]
    result = _assess(date(2024, 10, 1), prior_repairs=priors)
    assert result.replacement_due
    assert result.remedies == (Remedy.REPLACEMENT,)
    assert result.charges == FREE


def test_different_fault_codes_do_not_count():
    priors = [_repair(date(2024, 6, 1), "E1"), _repair(date(2024, 8, 1), "E2")]
    assert not _assess(date(2024, 10, 1), prior_repairs=priors).replacement_due
    assert not _assess(date(2024, 10, 1), prior_repairs=priors, fault_code="E3").replacement_due


def test_report_without_fault_code_never_replacement():
    priors = [_repair(date(2024, 6, 1)), _repair(date(2024, 8, 1))]
    assert not _assess(date(2024, 10, 1), prior_repairs=priors, fault_code=None).replacement_due


def test_repairs_before_acceptance_do_not_count():
    priors = [_repair(date(2024, 3, 1)), _repair(date(2024, 8, 1))]
    assert not _assess(date(2024, 10, 1), prior_repairs=priors).replacement_due


def test_repeat_fault_out_of_warranty_is_paid_repair():
    priors = [_repair(date(2024, 6, 1)), _repair(date(2024, 8, 1))]
    result = _assess(date(2025, 3, 4), prior_repairs=priors)
    assert not result.replacement_due
    assert result.remedies == (Remedy.PAID_REPAIR,)


def test_strict_monthly_prior_30_days_ago_is_replacement():
    result = _assess(date(2024, 10, 1), terms=STRICT, prior_repairs=[_repair(date(2024, 9, 1))])
    assert result.replacement_due
    assert result.remedies == (Remedy.REPLACEMENT,)
    assert any("strict_monthly" in r for r in result.reasons)


def test_strict_monthly_prior_31_days_ago_is_repair():
    result = _assess(date(2024, 10, 1), terms=STRICT, prior_repairs=[_repair(date(2024, 8, 31))])
    assert not result.replacement_due
    assert result.remedies == (Remedy.REPAIR,)


def test_standard_variant_ignores_single_recent_prior():
    result = _assess(date(2024, 10, 1), prior_repairs=[_repair(date(2024, 9, 30))])
    assert not result.replacement_due


def test_strict_monthly_different_fault_code_does_not_count():
    result = _assess(date(2024, 10, 1), terms=STRICT, prior_repairs=[_repair(date(2024, 9, 20), "E2")])
    assert not result.replacement_due


def test_strict_monthly_still_applies_two_prior_rule():
    priors = [_repair(date(2024, 5, 1)), _repair(date(2024, 6, 1))]
    assert _assess(date(2024, 10, 1), terms=STRICT, prior_repairs=priors).replacement_due


# exclusions


@pytest.mark.parametrize("cause", [Cause.HUMAN_DAMAGE, Cause.FORCE_MAJEURE])
def test_excluded_causes_are_chargeable_in_warranty(cause):
    priors = [_repair(date(2024, 3, 5)), _repair(date(2024, 3, 6))]
    result = _assess(date(2024, 3, 7), cause=cause, prior_repairs=priors)
    assert result.in_warranty
    assert result.excluded
    assert result.remedies == (Remedy.PAID_REPAIR,)
    assert Remedy.RETURN not in result.remedies
    assert not result.replacement_due
    assert result.charges == ALL_CHARGED
    assert result.quote_before_work
    assert not result.notify_sales
    assert any(cause.value in r for r in result.reasons)


def test_excluded_cause_out_of_warranty_notifies_sales():
    result = _assess(
        date(2025, 6, 1),
        cause=Cause.HUMAN_DAMAGE,
        terms=ContractTerms(paid_maintenance_until=date(2025, 12, 31)),
    )
    assert result.excluded
    assert result.charges == ALL_CHARGED
    assert result.notify_sales


# out of warranty charges


def test_paid_maintenance_covers_labour_and_travel():
    terms = ContractTerms(paid_maintenance_until=date(2025, 6, 1))
    result = _assess(date(2025, 6, 1), terms=terms)
    assert result.charges == Charges(parts=True, labour=False, travel=False)
    assert result.quote_before_work
    assert result.notify_sales


def test_expired_paid_maintenance_charges_everything():
    terms = ContractTerms(paid_maintenance_until=date(2025, 5, 31))
    result = _assess(date(2025, 6, 1), terms=terms)
    assert result.charges == ALL_CHARGED
    assert result.quote_before_work
    assert result.notify_sales


def test_paid_maintenance_irrelevant_in_warranty():
    terms = ContractTerms(paid_maintenance_until=date(2030, 1, 1))
    assert _assess(date(2024, 6, 1), terms=terms).charges == FREE


def test_zero_month_warranty_is_never_in_warranty():
    tuesday = date(2024, 3, 5)  # last day Monday 2024-03-04, a working day: no shift
    unit = UnitFacts(acceptance_date=tuesday, warranty_months=0)
    result = _assess(tuesday, unit=unit)
    assert result.warranty_ends_on == date(2024, 3, 4)
    assert not result.in_warranty
    assert result.remedies == (Remedy.PAID_REPAIR,)
