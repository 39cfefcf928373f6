"""Days out of service, as the law counts them: the reporting day not counted, overlaps once."""

from datetime import date

from intake.domain.out_of_service import Outage, days_out_of_service, extension


def outage(ticket, start, end, parts=False):
    return Outage(ticket_id=ticket, started_on=start, ended_on=end, waited_for_parts=parts)


def test_reported_on_1_march_and_repaired_on_6_march_is_five_days():
    assert days_out_of_service([outage("T-1", date(2026, 3, 1), date(2026, 3, 6))]) == 5


def test_repaired_the_same_day_is_no_day_out_of_service():
    assert days_out_of_service([outage("T-1", date(2026, 3, 1), date(2026, 3, 1))]) == 0


def test_two_separate_repairs_add_up():
    outages = [
        outage("T-1", date(2026, 3, 1), date(2026, 3, 6)),
        outage("T-2", date(2026, 4, 10), date(2026, 4, 17), parts=True),
    ]
    result = extension(outages)
    assert result.days == 12
    assert len(result.reasons) == 2
    assert "waiting for parts 2026-04-10..2026-04-17 (7 days, ticket T-2)" in result.reasons[1]


def test_overlapping_outages_count_each_day_once():
    outages = [
        outage("T-1", date(2026, 3, 1), date(2026, 3, 10)),  # 2..10 March
        outage("T-2", date(2026, 3, 5), date(2026, 3, 12)),  # 6..12 March
    ]
    result = extension(outages)
    assert result.days == 11  # 2..12 March
    assert result.reasons[-1] == "overlapping days counted once: 11 days in all"


def test_an_outage_not_yet_over_counts_nothing_yet():
    outages = [outage("T-1", date(2026, 3, 1), None), outage("T-2", date(2026, 2, 1), date(2026, 2, 3))]
    result = extension(outages)
    assert result.days == 2
    assert len(result.reasons) == 1


def test_across_a_month_and_year_end():
    assert days_out_of_service([outage("T-1", date(2025, 12, 30), date(2026, 1, 2))]) == 3
