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
    COMPLAINT_REPLY = "complaint_reply"


SEVERITIES = ("P1", "P2", "P3", "P4")
PAUSE_REASONS = frozenset({"awaiting_customer", "awaiting_parts"})


@dataclass(frozen=True, kw_only=True)
class Target:
    duration: timedelta
    business_time: bool = False  # counted in the contract's working calendar, else around the clock


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
        if any(not 2 <= step.level <= 4 or step.at_fraction < 1 for step in self.ladder):
            raise ValueError("ladder levels are 2..4, reached at or after the breach (fraction >= 1)")

    def target(self, severity: str, kind: ClockKind) -> Target | None:
        if kind is ClockKind.COMPLAINT_REPLY:
            return self.complaint_reply
        return self.targets.get(severity, {}).get(kind)
