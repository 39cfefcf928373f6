import pytest
from dispatch.domain.assignment import (
    Decision,
    JobNeed,
    TechnicianProfile,
    choose,
    eligible,
    escalation_target,
)


def tech(tid="t1", *, level=1, skills=("printer",), home="north", regions=(), capacity=3, active=True):
    return TechnicianProfile(
        technician_id=tid,
        level=level,
        skills=frozenset(skills),
        home_region=home,
        regions=frozenset(regions),
        capacity=capacity,
        active=active,
    )


def need(**kw):
    base = dict(ticket_id="T-1", region="north", product_line="printer", on_site=True)
    base.update(kw)
    return JobNeed(**base)


def everyone_on(_tid):
    return True


# --- eligible: each filter ---------------------------------------------------------------------


def test_eligible_baseline():
    assert eligible(tech(), need(), load=0, on_shift=True)


def test_inactive_is_not_eligible():
    assert not eligible(tech(active=False), need(), load=0, on_shift=True)


def test_off_shift_is_not_eligible():
    assert not eligible(tech(), need(), load=0, on_shift=False)


def test_excluded_is_not_eligible():
    assert not eligible(tech("t1"), need(exclude=frozenset({"t1"})), load=0, on_shift=True)


def test_load_must_be_below_capacity():
    assert eligible(tech(capacity=3), need(), load=2, on_shift=True)
    assert not eligible(tech(capacity=3), need(), load=3, on_shift=True)
    assert not eligible(tech(capacity=0), need(), load=0, on_shift=True)


def test_skill_required_for_product_line():
    assert not eligible(tech(skills=("copier",)), need(product_line="printer"), load=0, on_shift=True)
    assert eligible(tech(skills=()), need(product_line=None), load=0, on_shift=True)


def test_on_site_region_by_home_or_covered_regions():
    assert eligible(tech(home="north"), need(region="north", on_site=True), load=0, on_shift=True)
    assert eligible(tech(home="north", regions=("east",)), need(region="east"), load=0, on_shift=True)
    assert not eligible(tech(home="north", regions=("east",)), need(region="south"), load=0, on_shift=True)


def test_remote_job_ignores_region_but_not_skill():
    assert eligible(tech(home="north"), need(region="south", on_site=False), load=0, on_shift=True)
    assert not eligible(
        tech(home="north", skills=("copier",)), need(region="south", on_site=False), load=0, on_shift=True
    )


def test_min_level():
    assert not eligible(tech(level=1), need(min_level=2), load=0, on_shift=True)
    assert eligible(tech(level=2), need(min_level=2), load=0, on_shift=True)
    assert eligible(tech(level=3), need(min_level=2), load=0, on_shift=True)


def test_exact_level():
    assert eligible(tech(level=2), need(exact_level=2), load=0, on_shift=True)
    assert not eligible(tech(level=3), need(exact_level=2), load=0, on_shift=True)
    assert not eligible(tech(level=1), need(exact_level=2), load=0, on_shift=True)


# --- choose: filters applied -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "job", "loads", "shift"),
    [
        (tech("a", active=False), need(), {}, everyone_on),
        (tech("a"), need(), {}, lambda tid: tid != "a"),
        (tech("a"), need(exclude=frozenset({"a"})), {}, everyone_on),
        (tech("a", capacity=2), need(), {"a": 2}, everyone_on),
        (tech("a", skills=("copier",)), need(), {}, everyone_on),
        (tech("a", home="south"), need(region="north"), {}, everyone_on),
        (tech("a", level=1), need(min_level=2), {}, everyone_on),
        (tech("a", level=3), need(exact_level=2), {}, everyone_on),
    ],
    ids=["inactive", "off_shift", "excluded", "full", "skill", "region", "min_level", "exact_level"],
)
def test_choose_applies_each_filter(bad, job, loads, shift):
    # "a" would win every preference (least loaded, lowest id) but is filtered out.
    good = tech("z", level=2, skills=("printer",), home="north", capacity=1)
    loads = {"z": 0, **loads}
    decision = choose(job, [bad, good], load=loads, on_shift=shift)
    assert decision.technician_id == "z"
    assert decision.candidates == 1


def test_choose_remote_job_goes_to_anyone_with_the_skill():
    job = need(region="far-away", on_site=False)
    decision = choose(job, [tech("a", home="north")], load={}, on_shift=everyone_on)
    assert decision == Decision(technician_id="a", reason="least_loaded", candidates=1)


# --- choose: preferences -----------------------------------------------------------------------


def test_account_engineer_first_even_when_busier():
    techs = [tech("a", capacity=10), tech("acct", capacity=10), tech("last", capacity=10)]
    job = need(account_engineer_id="acct", last_served_by="last")
    decision = choose(job, techs, load={"a": 0, "acct": 9, "last": 0}, on_shift=everyone_on)
    assert decision == Decision(technician_id="acct", reason="account_engineer", candidates=3)


def test_last_served_when_account_engineer_not_eligible():
    techs = [tech("a"), tech("acct"), tech("last")]
    job = need(account_engineer_id="acct", last_served_by="last")
    decision = choose(job, techs, load={"a": 0, "last": 2}, on_shift=lambda tid: tid != "acct")
    assert decision == Decision(technician_id="last", reason="last_served_unit", candidates=2)


def test_account_engineer_who_also_last_served_reports_account_engineer():
    decision = choose(
        need(account_engineer_id="x", last_served_by="x"),
        [tech("x"), tech("a")],
        load={},
        on_shift=everyone_on,
    )
    assert decision.technician_id == "x"
    assert decision.reason == "account_engineer"


def test_unknown_account_engineer_falls_through_to_least_loaded():
    decision = choose(
        need(account_engineer_id="ghost"), [tech("a"), tech("b")], load={"a": 1}, on_shift=everyone_on
    )
    assert decision == Decision(technician_id="b", reason="least_loaded", candidates=2)


def test_least_loaded_by_ratio_before_absolute_load():
    # big: 3/10 = 0.3, small: 1/2 = 0.5 -> big wins despite higher absolute load
    techs = [tech("small", capacity=2), tech("big", capacity=10)]
    decision = choose(need(), techs, load={"small": 1, "big": 3}, on_shift=everyone_on)
    assert decision.technician_id == "big"
    assert decision.reason == "least_loaded"


def test_equal_ratio_prefers_lower_absolute_load():
    techs = [tech("a", capacity=10), tech("b", capacity=5)]  # 2/10 == 1/5
    decision = choose(need(), techs, load={"a": 2, "b": 1}, on_shift=everyone_on)
    assert decision.technician_id == "b"


def test_tie_on_load_goes_to_lowest_qualifying_level():
    techs = [tech("senior", level=3), tech("mid", level=2), tech("junior", level=1)]
    decision = choose(need(min_level=2), techs, load={}, on_shift=everyone_on)
    assert decision == Decision(technician_id="mid", reason="least_loaded", candidates=2)


def test_full_tie_broken_by_technician_id():
    techs = [tech("c"), tech("a"), tech("b")]
    for order in (techs, list(reversed(techs))):
        assert choose(need(), order, load={}, on_shift=everyone_on).technician_id == "a"


def test_missing_load_counts_as_zero():
    decision = choose(need(), [tech("a"), tech("b")], load={"a": 1}, on_shift=everyone_on)
    assert decision.technician_id == "b"


def test_nobody_fits():
    assert choose(need(), [], load={}, on_shift=everyone_on) == Decision(
        technician_id=None, reason="no_one_fits", candidates=0
    )
    assert choose(need(product_line="laser"), [tech("a")], load={}, on_shift=everyone_on) == Decision(
        technician_id=None, reason="no_one_fits", candidates=0
    )


def test_choose_accepts_a_generator():
    decision = choose(need(), (tech(f"t{i}") for i in range(3)), load={}, on_shift=everyone_on)
    assert decision.technician_id == "t0"
    assert decision.candidates == 3


def test_choose_over_5000_technicians_agrees_with_sorting_the_eligible():
    """The one-pass loop (speed: see bench/dispatch.py) against the rule stated plainly."""
    regions = ["north", "south", "east", "west"]
    techs = [
        tech(
            f"t{i:05d}",
            level=1 + i % 4,
            skills=("printer", "copier") if i % 3 else ("copier",),
            home=regions[i % 4],
            regions=(regions[(i + 1) % 4],),
            capacity=2 + i % 5,
        )
        for i in range(5000)
    ]
    loads = {t.technician_id: i % 4 for i, t in enumerate(techs)}
    on = frozenset(t.technician_id for i, t in enumerate(techs) if i % 7).__contains__
    job = need(region="north", min_level=2)
    decision = choose(job, techs, load=loads, on_shift=on)
    fit = [t for t in techs if eligible(t, job, load=loads[t.technician_id], on_shift=on(t.technician_id))]
    ranked = sorted(
        fit,
        key=lambda t: (
            loads[t.technician_id] / t.capacity,
            loads[t.technician_id],
            t.level,
            t.technician_id,
        ),
    )
    assert decision.candidates == len(fit) > 100
    assert decision.technician_id == ranked[0].technician_id


# --- escalation --------------------------------------------------------------------------------


def test_escalation_exact_level_covering_region():
    techs = [tech("l3", level=3), tech("l2", level=2), tech("l2b", level=2, home="south")]
    decision = escalation_target(2, "north", techs, load={}, on_shift=everyone_on)
    assert decision == Decision(technician_id="l2", reason="escalation_level_2", candidates=1)


def test_escalation_ignores_capacity_but_prefers_less_loaded():
    techs = [tech("busy", level=2, capacity=2), tech("busier", level=2, capacity=2)]
    decision = escalation_target(2, "north", techs, load={"busy": 5, "busier": 9}, on_shift=everyone_on)
    assert decision == Decision(technician_id="busy", reason="escalation_level_2", candidates=2)


def test_escalation_covers_region_via_regions_set():
    techs = [tech("l2", level=2, home="south", regions=("north",))]
    assert escalation_target(2, "north", techs, load={}, on_shift=everyone_on).technician_id == "l2"


def test_escalation_falls_back_up_the_ladder():
    techs = [
        tech("l2-off", level=2),
        tech("l4", level=4),
        tech("l3", level=3),
        tech("l1", level=1),
    ]
    decision = escalation_target(2, "north", techs, load={}, on_shift=lambda tid: tid != "l2-off")
    assert decision == Decision(technician_id="l3", reason="escalation_fallback_level_3", candidates=1)


def test_escalation_fallback_skips_to_level_4():
    techs = [tech("l4", level=4), tech("l3-far", level=3, home="south")]
    decision = escalation_target(2, "north", techs, load={}, on_shift=everyone_on)
    assert decision.technician_id == "l4"
    assert decision.reason == "escalation_fallback_level_4"


def test_escalation_never_relaxes_the_region():
    """SPEC 2.4: every choice of person covers the region; nobody fits is the caller's alert."""
    techs = [tech("l1", level=1), tech("l4-far", level=4, home="south"), tech("l3-far", level=3, home="east")]
    decision = escalation_target(2, "north", techs, load={}, on_shift=everyone_on)
    assert decision == Decision(technician_id=None, reason="no_one_fits", candidates=0)


def test_escalation_needs_the_skill_also_up_the_ladder():
    techs = [
        tech("l2-other", level=2, skills=("hvac",)),
        tech("l3-other", level=3, skills=("hvac",)),
        tech("l4", level=4, skills=("printer",)),
    ]
    decision = escalation_target(2, "north", techs, load={}, on_shift=everyone_on, product_line="printer")
    assert decision == Decision(technician_id="l4", reason="escalation_fallback_level_4", candidates=1)
    assert escalation_target(
        2, "north", techs[:2], load={}, on_shift=everyone_on, product_line="printer"
    ) == Decision(technician_id=None, reason="no_one_fits", candidates=0)


def test_escalation_without_a_known_region_or_skill_does_not_filter_on_them():
    techs = [tech("l2-far", level=2, home="south", skills=("hvac",))]
    decision = escalation_target(2, None, techs, load={}, on_shift=everyone_on, product_line=None)
    assert decision.technician_id == "l2-far"


def test_escalation_never_goes_down_the_ladder():
    techs = [tech("l1", level=1), tech("l2", level=2)]
    assert escalation_target(3, "north", techs, load={}, on_shift=everyone_on) == Decision(
        technician_id=None, reason="no_one_fits", candidates=0
    )


def test_escalation_skips_inactive_off_shift_and_excluded():
    techs = [
        tech("inactive", level=2, active=False),
        tech("off", level=2),
        tech("excluded", level=2),
    ]
    decision = escalation_target(
        2, "north", techs, load={}, on_shift=lambda tid: tid != "off", exclude=frozenset({"excluded"})
    )
    assert decision == Decision(technician_id=None, reason="no_one_fits", candidates=0)


def test_escalation_tie_broken_by_id():
    techs = [tech("b", level=2), tech("a", level=2)]
    assert escalation_target(2, "north", techs, load={}, on_shift=everyone_on).technician_id == "a"


def test_choose_counts_exactly_the_technicians_eligible_says_yes_to():
    import random

    rng = random.Random(7)
    regions = ["north", "south", "east"]
    techs = [
        tech(
            f"t{i:03d}",
            level=rng.randint(1, 4),
            skills=rng.sample(["printer", "copier", "scanner"], rng.randint(0, 2)),
            home=rng.choice(regions),
            regions=rng.sample(regions, rng.randint(0, 2)),
            capacity=rng.randint(0, 3),
            active=rng.random() > 0.1,
        )
        for i in range(300)
    ]
    loads = {t.technician_id: rng.randint(0, 3) for t in techs}
    on = {t.technician_id: rng.random() > 0.2 for t in techs}
    for _ in range(50):
        exact = rng.choice([None, None, 2, 3])
        job = need(
            region=rng.choice(regions),
            product_line=rng.choice([None, "printer", "copier", "scanner"]),
            on_site=rng.random() > 0.5,
            min_level=rng.randint(1, 3),
            exact_level=exact,
            exclude=frozenset(rng.sample([t.technician_id for t in techs], 20)),
        )
        fits = [
            t for t in techs if eligible(t, job, load=loads[t.technician_id], on_shift=on[t.technician_id])
        ]
        decision = choose(job, techs, load=loads, on_shift=on.__getitem__)
        assert decision.candidates == len(fits)
        if fits:
            expected = min(
                fits,
                key=lambda t: (
                    loads[t.technician_id] / t.capacity,
                    loads[t.technician_id],
                    t.level,
                    t.technician_id,
                ),
            )
            assert decision.technician_id == expected.technician_id
        else:
            assert decision.technician_id is None
