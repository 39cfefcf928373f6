"""Policies and calendars as JSON documents (what the API accepts and the database stores).

Every field is bounded, so an over-long value is a 422 naming it and the largest valid document fits
under the body limit (tests/http/test_request_bounds.py). The bounds are far above any real policy or
calendar; each says why. A NUL character is refused for every service at the edge
(shared.http.text_guard)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sla_monitor.domain.calendar import BusinessCalendar
from sla_monitor.domain.durations import format_duration, parse_duration
from sla_monitor.domain.policy import (
    PAUSE_REASONS,
    SEVERITIES,
    ClockKind,
    ClockStart,
    EscalationStep,
    Policy,
    Target,
    TargetOverride,
)

Identifier = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Severity = Annotated[str, Field(pattern=r"^P[1-4]$", max_length=2)]
Name = Annotated[str, Field(max_length=50)]  # a clock or pause reason (checked against the known ones)
Duration = Annotated[str, Field(max_length=50)]  # ISO 8601; "P3650DT23H59M59.999999S" is 23
# "HH:MM", with room for the spaces the calendar strips.
Time = Annotated[str, Field(max_length=10)]
Window = Annotated[list[Time], Field(min_length=2, max_length=2, description='["09:00", "18:00"]')]
# Working windows of one weekday: overlapping ones are merged, so more than one an hour is no schedule.
DayWindows = Annotated[list[Window], Field(max_length=24)]
# Weekday keys: pydantic states no bound for integer keys, so the schema says what JSON may send.
WEEKDAYS = [str(day) for day in range(7)]
WeekHours = Annotated[
    dict[int, DayWindows], Field(max_length=7, json_schema_extra={"propertyNames": {"enum": list(WEEKDAYS)}})
]
# A calendar's own holidays and make-up working days (China: about 25 weekdays off and 6 make-up days
# a year, most of them shipped with `public_holidays`): 2000 and 500 hold half a century of them.
MAX_HOLIDAYS = 2000
MAX_MAKEUP_WORKDAYS = 500
MAX_TARGET = timedelta(days=3650)  # longer targets overflow deadlines (thresholds reach 100x a target)
TICKET_CLOCK_NAMES = [k.value for k in ClockKind if k is not ClockKind.COMPLAINT_REPLY]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetDoc(_Doc):
    duration: Duration = Field(examples=["PT5M", "PT2S", "P2D"], description="ISO 8601 duration")
    business_time: bool = False

    @field_validator("duration")
    @classmethod
    def _iso(cls, value: str) -> str:
        try:
            duration = parse_duration(value)
        except OverflowError:
            duration = MAX_TARGET * 2
        if duration > MAX_TARGET:
            raise ValueError("a target is at most 3650 days (P3650D)")
        return value


class StepDoc(_Doc):
    level: int = Field(ge=2, le=4)
    at_fraction: float = Field(ge=1.0, le=100.0)


class OverrideDoc(_Doc):
    clock: Name = Field(description="a ticket clock, e.g. response or on_site")
    target: TargetDoc
    severity: Severity | None = None
    channel: str | None = Field(default=None, max_length=50, examples=["email", "fax"])
    region_class: Literal["city", "elsewhere"] | None = None

    @field_validator("clock")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value not in TICKET_CLOCK_NAMES:
            raise ValueError(f"unknown clock {value!r}; known: {TICKET_CLOCK_NAMES}")
        return value


class PolicyDoc(_Doc):
    policy_id: Identifier
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    # Four classes; the clocks of a class are checked against the known ones (a handful), the bound
    # only keeps the document finite.
    targets: dict[Severity, Annotated[dict[Name, TargetDoc], Field(max_length=20)]] = Field(max_length=4)
    warning_fractions: list[float] = Field(default=[0.5, 0.8], max_length=10)
    pauses: list[Name] = Field(default=sorted(PAUSE_REASONS), max_length=10)
    # Levels 2-4, one step each in practice; room for repeats.
    ladder: list[StepDoc] = Field(
        default=[
            StepDoc(level=2, at_fraction=1.0),
            StepDoc(level=3, at_fraction=1.5),
            StepDoc(level=4, at_fraction=2.0),
        ],
        max_length=10,
    )
    complaint_reply: TargetDoc | None = None
    on_site_at_once: list[Severity] = Field(
        default=list(SEVERITIES),
        max_length=10,
        description="classes whose on-site clock runs from the report; the others' from the on-site decision",
    )
    overrides: list[OverrideDoc] = Field(
        default_factory=list,
        max_length=100,
        description="targets for a channel and/or a site's region class, replacing the class's base target",
    )
    starts_at: dict[Name, Literal["report", "first_contact", "onsite_decision"]] = Field(
        default_factory=dict,
        max_length=20,
        description='where a clock starts, e.g. {"resolution": "first_contact"} (absent: the report); '
        "the on-site clock follows on_site_at_once",
    )

    @field_validator("starts_at")
    @classmethod
    def _starts(cls, value: dict[str, str]) -> dict[str, str]:
        known = set(TICKET_CLOCK_NAMES) - {ClockKind.ON_SITE.value}
        if set(value) - known:
            raise ValueError(f"starts_at names clocks among {sorted(known)}")
        return value

    @field_validator("targets")
    @classmethod
    def _clock_names(cls, value: dict[str, dict[str, TargetDoc]]) -> dict[str, dict[str, TargetDoc]]:
        for severity, clocks in value.items():
            unknown = set(clocks) - set(TICKET_CLOCK_NAMES)
            if unknown:
                raise ValueError(
                    f"{severity}: unknown clock(s) {sorted(unknown)}; known: {TICKET_CLOCK_NAMES}"
                )
        return value

    @field_validator("warning_fractions")
    @classmethod
    def _fractions(cls, value: list[float]) -> list[float]:
        if any(not 0 < f < 1 for f in value):
            raise ValueError("warning fractions lie strictly between 0 and 1")
        return sorted(set(value))

    @field_validator("pauses")
    @classmethod
    def _pauses(cls, value: list[str]) -> list[str]:
        if set(value) - PAUSE_REASONS:
            raise ValueError(f"pauses are among {sorted(PAUSE_REASONS)}")
        return value

    def to_domain(self) -> Policy:
        def target(doc: TargetDoc) -> Target:
            return Target(duration=parse_duration(doc.duration), business_time=doc.business_time)

        return Policy(
            policy_id=self.policy_id,
            name=self.name,
            description=self.description,
            targets={
                sev: {ClockKind(k): target(t) for k, t in clocks.items()}
                for sev, clocks in self.targets.items()
            },
            warning_fractions=tuple(self.warning_fractions),
            pauses=frozenset(self.pauses),
            ladder=tuple(EscalationStep(level=s.level, at_fraction=s.at_fraction) for s in self.ladder),
            complaint_reply=target(self.complaint_reply) if self.complaint_reply else None,
            on_site_at_once=frozenset(self.on_site_at_once),
            starts_at={ClockKind(k): ClockStart(v) for k, v in self.starts_at.items()},
            overrides=tuple(
                TargetOverride(
                    clock=ClockKind(o.clock),
                    target=target(o.target),
                    severity=o.severity,
                    channel=o.channel,
                    region_class=o.region_class,
                )
                for o in self.overrides
            ),
        )

    @classmethod
    def from_domain(cls, policy: Policy) -> PolicyDoc:
        def doc(t: Target) -> TargetDoc:
            return TargetDoc(duration=format_duration(t.duration), business_time=t.business_time)

        return cls(
            policy_id=policy.policy_id,
            name=policy.name,
            description=policy.description,
            targets={
                sev: {k.value: doc(t) for k, t in clocks.items()} for sev, clocks in policy.targets.items()
            },
            warning_fractions=list(policy.warning_fractions),
            pauses=sorted(policy.pauses),
            ladder=[StepDoc(level=s.level, at_fraction=s.at_fraction) for s in policy.ladder],
            complaint_reply=doc(policy.complaint_reply) if policy.complaint_reply else None,
            on_site_at_once=sorted(policy.on_site_at_once),
            starts_at={k.value: v.value for k, v in policy.starts_at.items()},
            overrides=[
                OverrideDoc(
                    clock=o.clock.value,
                    target=doc(o.target),
                    severity=o.severity,
                    channel=o.channel,
                    region_class=o.region_class,
                )
                for o in policy.overrides
            ],
        )


class CalendarDoc(_Doc):
    calendar_id: Identifier
    timezone: str = Field(default="Asia/Shanghai", max_length=100)
    hours: WeekHours | None = Field(
        default=None, description='weekday (0=Monday) -> [["09:00", "18:00"], ...]; null = 7x24'
    )
    holidays: list[date] = Field(default_factory=list, max_length=MAX_HOLIDAYS)
    makeup_workdays: list[date] = Field(default_factory=list, max_length=MAX_MAKEUP_WORKDAYS)
    makeup_weekday: int = Field(default=0, ge=0, le=6)
    public_holidays: Literal["china"] | None = Field(
        default=None,
        description='"china": also follow the shipped China public holidays and make-up working days',
    )

    @field_validator("hours", mode="before")
    @classmethod
    def _weekday_keys(cls, value: Any) -> Any:
        # JSON keys are text: only the ones the schema names ("0".."6"), not "03" or " 3".
        if isinstance(value, dict) and any(isinstance(k, str) and k not in WEEKDAYS for k in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return value

    @model_validator(mode="after")
    def _valid(self) -> CalendarDoc:
        self.to_domain()  # the domain's own checks (time zone, windows, overlaps) name the problem
        return self

    def to_domain(self) -> BusinessCalendar:
        return BusinessCalendar(
            calendar_id=self.calendar_id,
            timezone=self.timezone,
            hours=None
            if self.hours is None
            else {day: tuple((w[0], w[1]) for w in windows) for day, windows in self.hours.items()},
            holidays=frozenset(self.holidays),
            makeup_workdays=frozenset(self.makeup_workdays),
            makeup_weekday=self.makeup_weekday,
            public_holidays=self.public_holidays,
        )

    @classmethod
    def from_domain(cls, calendar: BusinessCalendar) -> CalendarDoc:
        return cls(
            calendar_id=calendar.calendar_id,
            timezone=calendar.timezone,
            hours=None
            if calendar.hours is None
            else {d: [list(w) for w in ws] for d, ws in calendar.hours.items()},
            holidays=sorted(calendar.holidays),
            makeup_workdays=sorted(calendar.makeup_workdays),
            makeup_weekday=calendar.makeup_weekday,
            public_holidays=calendar.public_holidays,
        )
