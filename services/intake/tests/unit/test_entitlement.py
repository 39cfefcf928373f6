"""Entitlement rules, with days counted as Chinese law counts them and the shipped China calendar.

Unless a test says otherwise it uses the real calendar (`shared/calendars/china.json`), so the
holiday and make-up days named here are the State Council's.
"""

from datetime import UTC, date, datetime, timedelta, timezone

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
    warranty_end,
)
from intake.domain.periods import add_months, last_day_after_days, last_day_after_months, local_date

from shared.calendars.china import ChinaCalendar, china_calendar

ACCEPTED = date(2024, 3, 4)  # Monday; 12 months -> last day Tuesday 2025-03-04 (a working day)
UNIT = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12)
STANDARD = ContractTerms()
STRICT = ContractTerms(variant=Variant.STRICT_MONTHLY)
CHINA = china_calendar()
FREE = Charges(parts=False, labour=False, travel=False)
ALL_CHARGED = Charges(parts=True, labour=True, travel=True)
BEIJING = timezone(timedelta(hours=8))


def _calendar(holidays=(), makeup=()) -> ChinaCalendar:
    """A made-up calendar for rules the real schedule does not happen to exercise."""
    return ChinaCalendar(
        first_year=2000,
        last_year=2099,
        holidays={d: "test holiday" for d in holidays},
        makeup_workdays={d: "test make-up" for d in makeup},
    )


NO_HOLIDAYS = _calendar()


def _assess(
    reported_on,
    *,
    unit=UNIT,
    terms=STANDARD,
    cause=Cause.PERFORMANCE_FAULT,
    fault_code="E1",
    prior_repairs=(),
    calendar=None,
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


# periods (民法典 arts. 201-202)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # no 31 February: the month's last day
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 11, 30), 2, date(2025, 1, 30)),
        (date(2024, 12, 15), 1, date(2025, 1, 15)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 3, 31), 180, date(2039, 3, 31)),
    ],
)
def test_a_period_in_months_ends_on_the_corresponding_day(start, months, expected):
    assert add_months(start, months) == expected
    assert last_day_after_months(start, months) == expected


def test_a_period_in_days_starts_the_day_after_the_event():
    assert last_day_after_days(date(2026, 3, 1), 7) == date(2026, 3, 8)
    assert last_day_after_days(date(2026, 3, 1), 15) == date(2026, 3, 16)
    with pytest.raises(ValueError):
        last_day_after_days(date(2026, 3, 1), -1)


def test_local_date_is_the_contract_time_zone_date():
    seven_in_beijing = datetime(2026, 1, 16, 7, 0, tzinfo=BEIJING)
    assert seven_in_beijing.astimezone(UTC).date() == date(2026, 1, 15)
    assert local_date(seven_in_beijing) == date(2026, 1, 16)
    assert local_date(seven_in_beijing, "Europe/Berlin") == date(2026, 1, 16)  # 00:00 in Berlin
    assert local_date(seven_in_beijing, "America/New_York") == date(2026, 1, 15)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 1, 16, 7, 0))


# SPEC 2.3 boundary days

BOUGHT_1_MARCH = UnitFacts(acceptance_date=date(2026, 3, 1), warranty_months=12)


@pytest.mark.parametrize(
    ("reported_on", "remedies"),
    [
        (date(2026, 3, 1), (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR)),  # the day of purchase
        (date(2026, 3, 8), (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR)),  # 7th day after it
        (date(2026, 3, 9), (Remedy.EXCHANGE, Remedy.REPAIR)),
        (date(2026, 3, 16), (Remedy.EXCHANGE, Remedy.REPAIR)),  # 15th day after it
        (date(2026, 3, 17), (Remedy.REPAIR,)),
    ],
)
def test_bought_on_1_march_return_through_8_march_exchange_through_16_march(reported_on, remedies):
    assert _assess(reported_on, unit=BOUGHT_1_MARCH).remedies == remedies


def test_window_reasons_name_their_last_day():
    assert "within 7 days of purchase (through 2026-03-08): return, exchange or repair" in (
        _assess(date(2026, 3, 8), unit=BOUGHT_1_MARCH).reasons
    )
    assert "within 15 days of purchase (through 2026-03-16): exchange or repair" in (
        _assess(date(2026, 3, 9), unit=BOUGHT_1_MARCH).reasons
    )


def test_accepted_15_january_2024_for_24_months_is_covered_through_15_january_2026():
    unit = UnitFacts(acceptance_date=date(2024, 1, 15), warranty_months=24)
    assert warranty_end(unit) == date(2026, 1, 15)  # a Thursday, a working day
    assert _assess(date(2026, 1, 15), unit=unit).in_warranty
    assert not _assess(date(2026, 1, 16), unit=unit).in_warranty


def test_a_call_at_07_00_beijing_time_the_day_after_the_warranty_ended_is_out_of_warranty():
    unit = UnitFacts(acceptance_date=date(2024, 1, 15), warranty_months=24)
    at = datetime(2026, 1, 16, 7, 0, tzinfo=BEIJING)  # still 15 January in UTC
    report = FaultReport.at(at, timezone=STANDARD.timezone, fault_code="E1")
    assert report.reported_on == date(2026, 1, 16)
    result = assess(unit=unit, terms=STANDARD, fault=report)
    assert not result.in_warranty
    assert result.notify_sales
    the_night_before = FaultReport.at(datetime(2026, 1, 15, 23, 30, tzinfo=BEIJING))
    assert assess(unit=unit, terms=STANDARD, fault=the_night_before).in_warranty


def test_warranty_ending_on_national_day_2026_moves_to_the_next_working_day():
    # 1-7 October 2026 are the National Day and Mid-Autumn holidays; Thursday 8 October is worked.
    unit = UnitFacts(acceptance_date=date(2025, 10, 1), warranty_months=12)
    assert CHINA.is_holiday(date(2026, 10, 1))
    assert warranty_end(unit) == date(2026, 10, 8)
    assert _assess(date(2026, 10, 8), unit=unit).in_warranty
    assert not _assess(date(2026, 10, 9), unit=unit).in_warranty


def test_warranty_ending_on_a_make_up_working_sunday_stays_on_that_sunday():
    # Sunday 20 September 2026 is worked (调休 for the National Day holiday).
    assert date(2026, 9, 20).weekday() == 6 and CHINA.is_makeup_workday(date(2026, 9, 20))
    unit = UnitFacts(acceptance_date=date(2025, 9, 20), warranty_months=12)
    assert warranty_end(unit) == date(2026, 9, 20)
    assert not _assess(date(2026, 9, 21), unit=unit).in_warranty
    ordinary_sunday = UnitFacts(acceptance_date=date(2025, 9, 13), warranty_months=12)
    assert warranty_end(ordinary_sunday) == date(2026, 9, 14)  # Sunday 13 September is not worked


def test_warranty_ending_on_a_make_up_working_saturday_stays_on_that_saturday():
    unit = UnitFacts(acceptance_date=date(2025, 10, 10), warranty_months=12)
    assert warranty_end(unit) == date(2026, 10, 10)  # Saturday, worked


def test_warranty_end_beyond_the_published_calendar_is_judged_by_weekends_and_says_so():
    unit = UnitFacts(acceptance_date=date(2024, 9, 29), warranty_months=60)  # Saturday 29 Sept 2029
    assert not CHINA.covers(date(2029, 9, 29))
    assert warranty_end(unit) == date(2029, 10, 1)
    result = _assess(date(2025, 1, 6), unit=unit)
    assert result.in_warranty
    assert any("beyond the published holiday calendar" in r for r in result.reasons)
    assert not any("beyond" in r for r in _assess(date(2025, 1, 6)).reasons)


# warranty_end


def test_warranty_end_is_the_anniversary():
    assert warranty_end(UNIT) == date(2025, 3, 4)


def test_warranty_end_month_end_acceptance():
    unit = UnitFacts(acceptance_date=date(2024, 1, 31), warranty_months=1)
    assert warranty_end(unit) == date(2024, 2, 29)  # Thursday


@pytest.mark.parametrize("months", [12, 24, 36, 60, 180])
def test_warranty_end_for_common_terms(months):
    unit = UnitFacts(acceptance_date=date(2024, 7, 2), warranty_months=months)
    every_day_worked = _calendar(makeup=[date(2024, 7, 2) + timedelta(days=n) for n in range(0, 5500)])
    assert warranty_end(unit, every_day_worked) == add_months(date(2024, 7, 2), months)


def test_warranty_extended_by_days_out_of_service():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, days_out_of_service=10)
    assert warranty_end(unit) == date(2025, 3, 14)  # Friday
    assert _assess(date(2025, 3, 14), unit=unit).in_warranty
    assert not _assess(date(2025, 3, 15), unit=unit).in_warranty


def test_last_day_on_holiday_moves_to_next_working_day():
    calendar = _calendar(holidays=[date(2025, 3, 4)])
    assert warranty_end(UNIT, calendar) == date(2025, 3, 5)
    assert _assess(date(2025, 3, 5), calendar=calendar).in_warranty
    assert not _assess(date(2025, 3, 6), calendar=calendar).in_warranty


def test_last_day_on_weekend_moves_to_monday():
    unit = UnitFacts(acceptance_date=date(2024, 3, 1), warranty_months=12)  # last day Sat 2025-03-01
    assert warranty_end(unit) == date(2025, 3, 3)


def test_holiday_friday_then_weekend_moves_to_monday():
    unit = UnitFacts(acceptance_date=date(2024, 2, 28), warranty_months=12)  # last day Fri 2025-02-28
    calendar = _calendar(holidays=[date(2025, 2, 28)])
    assert warranty_end(unit, calendar) == date(2025, 3, 3)


def test_extension_lands_on_holiday_then_shifts():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, days_out_of_service=1)
    calendar = _calendar(holidays=[date(2025, 3, 5)])
    assert warranty_end(unit, calendar) == date(2025, 3, 6)


@pytest.mark.parametrize(
    "unit",
    [
        UnitFacts(acceptance_date=ACCEPTED, warranty_months=-1),
        UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, days_out_of_service=-1),
    ],
)
def test_invalid_unit_facts_rejected(unit):
    with pytest.raises(ValueError):
        warranty_end(unit)
    with pytest.raises(ValueError):
        _assess(date(2024, 4, 1), unit=unit)


def test_report_before_purchase_rejected():
    with pytest.raises(ValueError):
        _assess(date(2024, 3, 3))


# in warranty vs out of warranty


def test_last_day_of_warranty_is_covered():
    result = _assess(date(2025, 3, 4))
    assert result.in_warranty
    assert result.warranty_ends_on == date(2025, 3, 4)
    assert result.remedies == (Remedy.REPAIR,)
    assert result.charges == FREE
    assert not result.quote_before_work
    assert not result.notify_sales
    assert not result.excluded


def test_day_after_warranty_is_paid_and_notifies_sales():
    result = _assess(date(2025, 3, 5))
    assert not result.in_warranty
    assert result.remedies == (Remedy.PAID_REPAIR,)
    assert result.charges == ALL_CHARGED
    assert result.quote_before_work
    assert result.notify_sales
    assert not result.replacement_due
    assert any("notify" in r for r in result.reasons)


# purchase windows (bought Monday 4 March 2024: return through 11 March, exchange through 19 March)


def test_seventh_day_after_purchase_allows_return_exchange_repair():
    assert _assess(date(2024, 3, 11)).remedies == (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR)


def test_the_purchase_day_itself_allows_return():
    assert Remedy.RETURN in _assess(ACCEPTED).remedies


def test_eighth_and_fifteenth_days_allow_exchange_or_repair():
    assert _assess(date(2024, 3, 12)).remedies == (Remedy.EXCHANGE, Remedy.REPAIR)
    assert _assess(date(2024, 3, 19)).remedies == (Remedy.EXCHANGE, Remedy.REPAIR)


def test_sixteenth_day_repair_only():
    result = _assess(date(2024, 3, 20))
    assert result.remedies == (Remedy.REPAIR,)
    assert result.charges == FREE


def test_purchase_date_takes_precedence_over_acceptance():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=12, purchase_date=date(2024, 2, 20))
    assert _assess(date(2024, 2, 27), unit=unit).remedies[0] is Remedy.RETURN  # 20 Feb + 7
    assert _assess(date(2024, 2, 28), unit=unit).remedies[0] is Remedy.EXCHANGE
    assert _assess(date(2024, 3, 6), unit=unit).remedies == (Remedy.EXCHANGE, Remedy.REPAIR)  # + 15
    assert _assess(date(2024, 3, 7), unit=unit).remedies == (Remedy.REPAIR,)


def test_unknown_cause_gets_repair_only_in_window():
    result = _assess(date(2024, 3, 5), cause=Cause.UNKNOWN)
    assert result.remedies == (Remedy.REPAIR,)
    assert result.charges == FREE


# repeated faults


def test_second_repair_of_same_fault_is_still_a_repair():
    result = _assess(date(2024, 10, 1), prior_repairs=[_repair(date(2024, 6, 1))])
    assert not result.replacement_due
    assert result.remedies == (Remedy.REPAIR,)


def test_third_failure_of_same_fault_offers_replacement_or_repair():
    priors = [_repair(date(2024, 6, 1)), _repair(date(2024, 8, 1))]
    result = _assess(date(2024, 10, 1), prior_repairs=priors)
    assert result.replacement_due
    assert result.remedies == (Remedy.REPLACEMENT, Remedy.REPAIR)  # the customer chooses (seed 004)
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
    result = _assess(date(2025, 3, 5), prior_repairs=priors)
    assert not result.replacement_due
    assert result.remedies == (Remedy.PAID_REPAIR,)


def test_repairs_older_than_one_year_do_not_count():
    unit = UnitFacts(acceptance_date=ACCEPTED, warranty_months=36)
    priors = [_repair(date(2024, 6, 1)), _repair(date(2025, 2, 1))]
    assert _assess(date(2025, 6, 1), unit=unit, prior_repairs=priors).replacement_due  # 1 June + 1 year
    assert not _assess(date(2025, 6, 2), unit=unit, prior_repairs=priors).replacement_due


def test_strict_monthly_repair_one_month_before_is_replacement():
    # Repaired 1 September: the month runs 2 September .. 1 October.
    result = _assess(date(2024, 10, 1), terms=STRICT, prior_repairs=[_repair(date(2024, 9, 1))])
    assert result.replacement_due
    assert result.remedies == (Remedy.REPLACEMENT,)
    assert any("strict_monthly" in r for r in result.reasons)


def test_strict_monthly_repair_more_than_one_month_before_is_repair():
    result = _assess(date(2024, 10, 2), terms=STRICT, prior_repairs=[_repair(date(2024, 9, 1))])
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
    tuesday = date(2024, 3, 5)
    unit = UnitFacts(acceptance_date=tuesday, warranty_months=0)
    result = _assess(tuesday, unit=unit)
    assert result.warranty_ends_on == tuesday
    assert not result.in_warranty
    assert result.remedies == (Remedy.PAID_REPAIR,)
