"""Policies and calendars shipped with the product (SPEC 2.2 and 2.4); operators add their own."""

from __future__ import annotations

from datetime import timedelta

from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.policy import ClockKind, ClockStart, EscalationStep, Policy, Target, TargetOverride

RESPONSE, ON_SITE, RESTORE, RESOLUTION, HANDOFF, DIAGNOSIS = (
    ClockKind.RESPONSE,
    ClockKind.ON_SITE,
    ClockKind.RESTORE,
    ClockKind.RESOLUTION,
    ClockKind.HANDOFF,
    ClockKind.DIAGNOSIS,
)


def _t(minutes: float, business: bool = False) -> Target:
    return Target(duration=timedelta(minutes=minutes), business_time=business)


SEED_003 = Policy(
    policy_id="seed-003",
    name="Seed 003, table 7: P1 5 min / 40 min on site / 2 h restore",
    description=(
        "Response, hand-off to the next tier, restore and on-site targets per severity class (table 7); "
        "P1 goes on site at once, the others from the on-site decision; diagnosis within 2 h (§3); "
        "final resolution counted from the engineer's first contact (§11); complaints answered in 2 h."
    ),
    targets={
        "P1": {RESPONSE: _t(5), HANDOFF: _t(0), RESTORE: _t(120), ON_SITE: _t(40), DIAGNOSIS: _t(120)},
        "P2": {RESPONSE: _t(10), HANDOFF: _t(30), RESTORE: _t(120), ON_SITE: _t(60), DIAGNOSIS: _t(120)},
        "P3": {RESPONSE: _t(10), HANDOFF: _t(60), RESTORE: _t(120), ON_SITE: _t(60), DIAGNOSIS: _t(120)},
        "P4": {RESPONSE: _t(10), HANDOFF: _t(60), ON_SITE: _t(120)},
    },
    on_site_at_once=frozenset({"P1"}),
    starts_at={RESOLUTION: ClockStart.FIRST_CONTACT},
    overrides=(  # "传真和邮件响应(邮件回复时间不超过八小时)": email answered in 8 h; fax within 5 min
        TargetOverride(clock=RESPONSE, channel="email", target=_t(8 * 60)),
        TargetOverride(clock=RESPONSE, channel="fax", target=_t(5)),
    ),
    complaint_reply=_t(120),
)

ELEVATOR_ENTRAPMENT = Policy(
    policy_id="elevator-entrapment",
    name="Elevators (seed 002): entrapment on site in 30 min in a city, 1 h elsewhere",
    description="The regulation's rescue times: P1 (entrapment) goes on site at once.",
    targets={
        "P1": {RESPONSE: _t(5), ON_SITE: _t(60), RESTORE: _t(240)},
        "P2": {RESPONSE: _t(30), ON_SITE: _t(240), RESTORE: _t(24 * 60)},
        "P3": {RESPONSE: _t(60), ON_SITE: _t(24 * 60)},
        "P4": {RESPONSE: _t(60)},
    },
    on_site_at_once=frozenset({"P1"}),
    overrides=(TargetOverride(clock=ON_SITE, severity="P1", region_class="city", target=_t(30)),),
    complaint_reply=_t(120),
)

LOANER_4H = Policy(
    policy_id="loaner-4h",
    name="0.5 h phone response, 2 h on site, 4 h repair, else a loaner unit",
    description="Restore breach means a loaner is sent (inventory listens for the restore breach).",
    targets={
        sev: {RESPONSE: _t(30), ON_SITE: _t(120), RESTORE: _t(240), RESOLUTION: _t(24 * 60), HANDOFF: _t(240)}
        for sev in ("P1", "P2", "P3", "P4")
    },
    complaint_reply=_t(120),
)

WORKING_HOURS_1_2_4 = Policy(
    policy_id="working-hours-1-2-4",
    name="1 working hour response, 2 working hours arrival, 4 working hours repair",
    description="Counted in the contract's working calendar; complaint answered within 1 hour.",
    targets={
        sev: {RESPONSE: _t(60, True), ON_SITE: _t(120, True), RESTORE: _t(240, True), HANDOFF: _t(240, True)}
        for sev in ("P1", "P2", "P3", "P4")
    },
    warning_fractions=(0.5, 0.8),
    ladder=(
        EscalationStep(level=2, at_fraction=1.0),
        EscalationStep(level=3, at_fraction=2.0),
        EscalationStep(level=4, at_fraction=3.0),
    ),
    complaint_reply=_t(60),
)

REMOTE_48H = Policy(
    policy_id="remote-48h",
    name="Remote regions: email answered in 8 h, on site within 48 h",
    targets={
        sev: {RESPONSE: _t(8 * 60), ON_SITE: _t(48 * 60), RESTORE: _t(72 * 60)}
        for sev in ("P1", "P2", "P3", "P4")
    },
    pauses=frozenset({"awaiting_customer", "awaiting_parts"}),
    complaint_reply=_t(120),
)

DEFAULT = Policy(
    policy_id="default",
    name="Default (seed 003 targets)",
    targets=SEED_003.targets,
    on_site_at_once=SEED_003.on_site_at_once,
    starts_at=SEED_003.starts_at,
    overrides=SEED_003.overrides,
    complaint_reply=SEED_003.complaint_reply,
    description="Used when a contract names no policy.",
)

SEED_POLICIES = (DEFAULT, SEED_003, LOANER_4H, WORKING_HOURS_1_2_4, REMOTE_48H, ELEVATOR_ENTRAPMENT)

SEED_CALENDARS = (
    BusinessCalendar.always("7x24"),
    BusinessCalendar.working_hours("7x8", days=range(7), start="08:00", end="16:00"),
    # Monday-Friday 09:00-18:00 with the China public holidays and make-up working days.
    BusinessCalendar.working_hours(
        "cn-office", days=range(5), start="09:00", end="18:00", public_holidays="china"
    ),
)
