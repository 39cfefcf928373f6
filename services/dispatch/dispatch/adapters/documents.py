"""The roster as a JSON document (what the API accepts and the database stores)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from dispatch.domain.roster import Leave, Roster, Rotation, Shift


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShiftDoc(_Doc):
    start: str = Field(examples=["08:00", "22:00"])
    end: str = Field(examples=["16:00", "06:00"], description="not after start: crosses midnight")
    weekdays: list[int] = Field(default=list(range(7)), description="0=Monday; the day the shift starts")


class RotationDoc(_Doc):
    groups: list[str] = Field(min_length=1, examples=[["A", "B"]])
    anchor: date
    period_days: int = Field(default=7, ge=1)
    shift: ShiftDoc = ShiftDoc(start="00:00", end="24:00")


class LeaveDoc(_Doc):
    technician_id: str
    start: AwareDatetime
    end: AwareDatetime


class RosterDoc(_Doc):
    timezone: str = "Asia/Shanghai"
    shifts: dict[str, list[ShiftDoc]] = Field(
        default_factory=dict, description="technician -> regular shifts"
    )
    rotation: RotationDoc | None = None
    groups: dict[str, str] = Field(default_factory=dict, description="technician -> rotation group")
    leave: list[LeaveDoc] = Field(default_factory=list)

    @model_validator(mode="after")
    def _valid(self) -> RosterDoc:
        self.to_domain()  # the domain's checks name the problem (bad time, zone, leave order)
        return self

    def to_domain(self) -> Roster:
        def shift(doc: ShiftDoc) -> Shift:
            return Shift(start=doc.start, end=doc.end, weekdays=frozenset(doc.weekdays))

        rotation = None
        if self.rotation is not None:
            rotation = Rotation(
                groups=tuple(self.rotation.groups),
                anchor=self.rotation.anchor,
                period_days=self.rotation.period_days,
                shift=shift(self.rotation.shift),
            )
        return Roster(
            timezone=self.timezone,
            shifts={t: tuple(shift(s) for s in ss) for t, ss in self.shifts.items()},
            rotation=rotation,
            groups=dict(self.groups),
            leave=tuple(
                Leave(technician_id=off.technician_id, start=off.start, end=off.end) for off in self.leave
            ),
        )


def everyone_on_shift(_technician_id: str, _at: datetime) -> bool:
    """Before any roster is configured, every active technician counts as on shift."""
    return True
