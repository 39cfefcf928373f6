"""Who is on shift: regular shifts, duty rotations and leave.

All instants passed in must be timezone-aware; shift windows are wall-clock times in the
roster's local timezone. A window whose end is not after its start (e.g. ``"22:00"``-``"06:00"``)
crosses midnight and belongs to the day it starts on: its weekday filter applies to that day,
and for a rotation the group on duty is the group of that day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["Leave", "Roster", "Rotation", "Shift"]

_DAY_MINUTES = 24 * 60
_UNSET: object = object()


def _parse_hhmm(value: str, *, allow_24: bool) -> int:
    try:
        hh, mm = value.split(":")
        if len(hh) != 2 or len(mm) != 2 or not (hh.isdigit() and mm.isdigit()):
            raise ValueError
        hours, minutes = int(hh), int(mm)
    except (ValueError, AttributeError):
        raise ValueError(f"invalid time {value!r}, expected 'HH:MM'") from None
    total = hours * 60 + minutes
    if minutes >= 60 or total > _DAY_MINUTES or (total == _DAY_MINUTES and not allow_24):
        raise ValueError(f"invalid time {value!r}")
    return total


def _require_aware(value: datetime, name: str = "at") -> None:
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _at_minutes(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """Local wall-clock instant ``minutes`` after midnight of ``day`` (minutes may be >= 1440)."""
    extra_days, rest = divmod(minutes, _DAY_MINUTES)
    return datetime.combine(day + timedelta(days=extra_days), time(rest // 60, rest % 60), tzinfo=tz)


@dataclass(frozen=True, kw_only=True)
class Shift:
    """A daily window ``[start, end)`` in local time on the given weekdays (Monday=0)."""

    start: str
    end: str
    weekdays: frozenset[int] = frozenset(range(7))

    def __post_init__(self) -> None:
        _parse_hhmm(self.start, allow_24=False)
        _parse_hhmm(self.end, allow_24=True)
        weekdays = frozenset(self.weekdays)
        if any(not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
            raise ValueError("weekdays must be integers 0 (Monday) .. 6 (Sunday)")
        object.__setattr__(self, "weekdays", weekdays)

    @property
    def start_minutes(self) -> int:
        return _parse_hhmm(self.start, allow_24=False)

    @property
    def end_minutes(self) -> int:
        """Minutes after the start day's midnight at which the window ends (> 1440 if it crosses)."""
        start = self.start_minutes
        end = _parse_hhmm(self.end, allow_24=True)
        return end if end > start else end + _DAY_MINUTES

    def occurrence_day(self, local: datetime) -> date | None:
        """The day whose occurrence of this shift covers the local wall-clock time, if any."""
        minute = local.hour * 60 + local.minute
        start, end = self.start_minutes, self.end_minutes
        today = local.date()
        if today.weekday() in self.weekdays and start <= minute < min(end, _DAY_MINUTES):
            return today
        if end > _DAY_MINUTES and minute < end - _DAY_MINUTES:
            yesterday = today - timedelta(days=1)
            if yesterday.weekday() in self.weekdays:
                return yesterday
        return None

    def occurrence(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The ``[start, end)`` instants of the occurrence starting on ``day``."""
        return _at_minutes(day, self.start_minutes, tz), _at_minutes(day, self.end_minutes, tz)


@dataclass(frozen=True, kw_only=True)
class Rotation:
    """Groups taking turns: each is on duty for ``period_days`` consecutive days from ``anchor``."""

    groups: tuple[str, ...]
    anchor: date
    period_days: int = 7
    shift: Shift = Shift(start="00:00", end="24:00")

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(self.groups))
        if not self.groups:
            raise ValueError("a rotation needs at least one group")
        if self.period_days < 1:
            raise ValueError("period_days must be >= 1")
        if isinstance(self.anchor, datetime):
            raise TypeError("anchor must be a date, not a datetime")

    def group_for_day(self, day: date) -> str:
        """The group on duty for the shift occurrence that starts on ``day``."""
        index = ((day - self.anchor).days // self.period_days) % len(self.groups)
        return self.groups[index]

    def group_on_duty(self, at: datetime, tz: ZoneInfo) -> str | None:
        _require_aware(at)
        day = self.shift.occurrence_day(at.astimezone(tz))
        return None if day is None else self.group_for_day(day)


@dataclass(frozen=True, kw_only=True)
class Leave:
    """A technician's absence over ``[start, end)``."""

    technician_id: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        _require_aware(self.start, "start")
        _require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValueError("leave must end after it starts")

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


@dataclass(frozen=True, kw_only=True)
class Roster:
    timezone: str = "Asia/Shanghai"
    shifts: Mapping[str, tuple[Shift, ...]]
    rotation: Rotation | None = None
    groups: Mapping[str, str] = field(default_factory=dict)
    leave: tuple[Leave, ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # fail fast on an unknown zone
        object.__setattr__(self, "leave", tuple(self.leave))

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # ZoneInfo caches instances per key

    def technicians(self) -> frozenset[str]:
        return frozenset(self.shifts) | frozenset(self.groups)

    def is_on_leave(self, technician_id: str, at: datetime) -> bool:
        _require_aware(at)
        return any(lv.technician_id == technician_id and lv.covers(at) for lv in self.leave)

    def is_on_shift(self, technician_id: str, at: datetime) -> bool:
        _require_aware(at)
        return self._scheduled(technician_id, at, _UNSET) and not self.is_on_leave(technician_id, at)

    def on_shift(self, at: datetime) -> frozenset[str]:
        _require_aware(at)
        duty = None if self.rotation is None else self.rotation.group_on_duty(at, self.tz)
        return frozenset(
            tid
            for tid in self.technicians()
            if self._scheduled(tid, at, duty) and not self.is_on_leave(tid, at)
        )

    # -- internals ---------------------------------------------------------------------------

    def _scheduled(self, technician_id: str, at: datetime, duty: object) -> bool:
        """Regular shift or on-duty rotation group (ignoring leave). ``duty`` may be precomputed."""
        local = at.astimezone(self.tz)
        for shift in self.shifts.get(technician_id, ()):
            if shift.occurrence_day(local) is not None:
                return True
        group = self.groups.get(technician_id)
        if group is None or self.rotation is None:
            return False
        if duty is _UNSET:
            duty = self.rotation.group_on_duty(at, self.tz)
        return duty == group
