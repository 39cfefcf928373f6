"""Service-level policies as data: targets per severity class and clock, warnings, pauses, ladder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum


class ClockKind(StrEnum):
    RESPONSE = "response"  # someone answers: acknowledged, remote session or arrival
    ON_SITE = "on_site"  # an engineer arrives
    RESTORE = "restore"  # service restored (work resolved)
    RESOLUTION = "resolution"  # ticket closed after the callback
    HANDOFF = "handoff"  # unresolved after this long: hand to the next tier (L2)
    DIAGNOSIS = "diagnosis"  # fault diagnosed (seed 003: within 2 h), stopped by DiagnosisRecorded
    COMPLAINT_REPLY = "complaint_reply"


class ClockStart(StrEnum):
    """Where a clock starts (seed 003 §9-§11 measure from different moments)."""

    REPORT = "report"  # the customer's report (the ticket's reported_at)
    FIRST_CONTACT = "first_contact"  # the engineer first contacts the customer: acknowledgement,
    # remote session start or arrival, whichever comes first (seed 003 §11 "初次与用户方技术人员联系")
    ONSITE_DECISION = "onsite_decision"  # remote work did not solve it: an engineer must go


SEVERITIES = ("P1", "P2", "P3", "P4")
PAUSE_REASONS = frozenset({"awaiting_customer", "awaiting_parts"})


@dataclass(frozen=True, kw_only=True)
class Target:
    duration: timedelta
    business_time: bool = False  # counted in the contract's working calendar, else around the clock


@dataclass(frozen=True, kw_only=True)
class TargetOverride:
    """A target that replaces the base one for tickets from a channel and/or a site's region class
    (seed 003: email answered within 8 h, fax within 5 min; seed 002: elevator entrapment on site in
    30 min in a city, 1 h elsewhere). The most specific match wins; None matches anything."""

    clock: ClockKind
    target: Target
    severity: str | None = None
    channel: str | None = None  # intake's channel: phone, email, fax, web, ...
    region_class: str | None = None  # the site's: "city" | "elsewhere"

    def matches(self, severity: str, kind: ClockKind, channel: str | None, region_class: str | None) -> bool:
        return (
            self.clock is kind
            and self.severity in (None, severity)
            and self.channel in (None, channel)
            and self.region_class in (None, region_class)
        )

    @property
    def specificity(self) -> int:
        return sum(x is not None for x in (self.severity, self.channel, self.region_class))


@dataclass(frozen=True, kw_only=True)
class EscalationStep:
    level: int  # 2 supervisor, 3 department manager, 4 leadership
    at_fraction: float  # of a clock's target (1.0 = at the breach)


DEFAULT_LADDER = (
    EscalationStep(level=2, at_fraction=1.0),
    EscalationStep(level=3, at_fraction=1.5),
    EscalationStep(level=4, at_fraction=2.0),
)


@dataclass(frozen=True, kw_only=True)
class Policy:
    policy_id: str
    name: str
    targets: Mapping[str, Mapping[ClockKind, Target]]  # severity -> clock -> target (absent: not tracked)
    warning_fractions: tuple[float, ...] = (0.5, 0.8)
    pauses: frozenset[str] = PAUSE_REASONS
    ladder: tuple[EscalationStep, ...] = DEFAULT_LADDER
    complaint_reply: Target | None = None
    # severity classes sent on site at once (their on-site clock runs from the report); the others'
    # on-site clock starts at the on-site decision. Default: every class (the older policies' reading).
    on_site_at_once: frozenset[str] = frozenset(SEVERITIES)
    starts_at: Mapping[ClockKind, ClockStart] = field(default_factory=dict)  # absent: from the report
    overrides: tuple[TargetOverride, ...] = ()
    description: str = ""
    extra_notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        for severity, clocks in self.targets.items():
            if severity not in SEVERITIES:
                raise ValueError(f"unknown severity class {severity!r}")
            for kind, target in clocks.items():
                if target.duration < timedelta(0):
                    raise ValueError(f"{severity}.{kind}: a target cannot be negative")
        if any(not 0 < f < 1 for f in self.warning_fractions):
            raise ValueError("warning fractions lie strictly between 0 and 1")
        if any(o.severity not in (None, *SEVERITIES) for o in self.overrides):
            raise ValueError("an override names a severity class P1..P4")
        if ClockKind.ON_SITE in self.starts_at:
            raise ValueError("the on-site clock's start follows on_site_at_once")
        if set(self.on_site_at_once) - set(SEVERITIES):
            raise ValueError("on_site_at_once names severity classes P1..P4")
        if any(not 2 <= step.level <= 4 or step.at_fraction < 1 for step in self.ladder):
            raise ValueError("ladder levels are 2..4, reached at or after the breach (fraction >= 1)")

    def start_of(self, severity: str, kind: ClockKind) -> ClockStart:
        if kind is ClockKind.ON_SITE:
            return ClockStart.REPORT if severity in self.on_site_at_once else ClockStart.ONSITE_DECISION
        return self.starts_at.get(kind, ClockStart.REPORT)

    def target(
        self, severity: str, kind: ClockKind, *, channel: str | None = None, region_class: str | None = None
    ) -> Target | None:
        """The class's target for a clock; an override for the ticket's channel or region class replaces
        it (only where the class tracks that clock at all: an override never adds a clock)."""
        if kind is ClockKind.COMPLAINT_REPLY:
            return self.complaint_reply
        base = self.targets.get(severity, {}).get(kind)
        matching = [o for o in self.overrides if o.matches(severity, kind, channel, region_class)]
        if base is None or not matching:
            return base
        return max(matching, key=lambda o: o.specificity).target
