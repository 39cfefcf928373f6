"""Business-time calendars for SLA clocks.

A :class:`BusinessCalendar` answers three questions about *business time*:

* ``add(start, duration)`` – the instant at which ``duration`` of business time has
  elapsed after ``start`` (the SLA deadline);
* ``elapsed(start, end)`` – how much business time lies within ``[start, end)``;
* ``is_working(at)`` – whether ``at`` falls inside working time.

Semantics
---------
Working time is the union of per-local-date windows. For a local date ``d`` (in the
calendar's ``timezone``):

* ``d in holidays``        -> no working time at all;
* ``d in makeup_workdays`` -> the windows of ``makeup_weekday`` (China's adjusted
  working weekends), whatever weekday ``d`` is;
* then, if the calendar follows ``public_holidays`` (``"china"``: the one China calendar in
  `shared.calendars`, see :mod:`sla_monitor.domain.public_holidays`), its public holidays
  and make-up working days, in the same way; a date beyond the years that data covers is
  an ordinary day (a warning is logged);
* otherwise                -> the windows of ``d.weekday()`` (0=Mon .. 6=Sun).

Windows are local wall-clock ``"HH:MM"`` pairs with ``start < end``; ``end`` may be
``"24:00"`` (midnight at the start of the next local date). Overnight shifts are
expressed as two windows (e.g. ``22:00-24:00`` and ``00:00-06:00``).

Time zones and DST
------------------
Each window boundary is converted to an instant via
``datetime.combine(d, t, tzinfo=zone)`` with ``fold=0`` and then ``.astimezone(UTC)``.
Durations are always *real elapsed* (UTC) time:

* a window ``01:00-04:00`` on a spring-forward day in America/New_York lasts 2 real hours;
* a ``00:00-24:00`` window on a fall-back day lasts 25 real hours;
* a nonexistent local time (in the spring-forward gap) is interpreted with the offset in
  force *before* the transition (PEP 495, ``fold=0``), which maps it to an instant after
  the gap (e.g. 02:30 -> 03:30 EDT). A window that thereby becomes empty or inverted is
  dropped; windows of the same date that end up overlapping are merged.
* an ambiguous local time (in the fall-back overlap) resolves to its *first* occurrence
  (``fold=0``).

``hours=None`` means 7x24: every date is one ``00:00-24:00`` window. Without holidays
this is plain arithmetic (``add`` = ``start + duration`` in UTC, ``elapsed`` =
``end - start``); with holidays the holiday dates are excluded.

Conventions
-----------
* All datetimes must be timezone-aware (``ValueError`` otherwise); results of ``add``
  are in UTC.
* ``add(start, timedelta(0))`` returns ``start`` (in UTC) even if it lies outside
  working time: a zero target means "due immediately".
* If the remaining duration exactly exhausts a window, the deadline is that window's
  end (e.g. 18:00), not the next opening.
* ``add`` iterates day by day over windows (never minute by minute) and raises
  ``ValueError`` when no working time is found for ~3 years of consecutive days.
* Per-date UTC windows are memoised with :func:`functools.lru_cache`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sla_monitor.domain.public_holidays import DayKind, check_source, day_kind

__all__ = ["BusinessCalendar"]

_MINUTES_PER_DAY = 24 * 60
#: consecutive days without any working time after which ``add`` gives up
_MAX_EMPTY_DAYS = 3 * 366
_ZERO = timedelta(0)
_ONE_DAY = timedelta(days=1)

_Window = tuple[int, int]  # (start_minute, end_minute) of a local date, end <= 1440
_Interval = tuple[datetime, datetime]  # UTC [start, end)


def _parse_hhmm(value: str, *, allow_24: bool) -> int:
    if not isinstance(value, str):
        raise ValueError(f"time must be an 'HH:MM' string, got {value!r}")
    parts = value.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[1]) != 2:
        raise ValueError(f"time must be 'HH:MM', got {value!r}")
    hh, mm = int(parts[0]), int(parts[1])
    if mm > 59:
        raise ValueError(f"invalid minutes in {value!r}")
    minutes = hh * 60 + mm
    if minutes > _MINUTES_PER_DAY or (minutes == _MINUTES_PER_DAY and not allow_24):
        raise ValueError(f"time out of range: {value!r}")
    return minutes


def _fmt(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _merge(windows: Iterable[_Window]) -> tuple[_Window, ...]:
    merged: list[list[int]] = []
    for s, e in sorted(windows):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((s, e) for s, e in merged)


class _FrozenHours(Mapping[int, tuple[tuple[str, str], ...]]):
    """Immutable, hashable weekday -> windows mapping (normalised ``"HH:MM"`` strings)."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: dict[int, tuple[tuple[str, str], ...]]) -> None:
        self._data = dict(sorted(data.items()))
        self._hash = hash(tuple(self._data.items()))

    def __getitem__(self, key: int) -> tuple[tuple[str, str], ...]:
        return self._data[key]

    def __iter__(self) -> Iterator[int]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return repr(self._data)


def _normalise_hours(
    hours: Mapping[int, Iterable[tuple[str, str]]],
) -> tuple[_FrozenHours, tuple[tuple[_Window, ...], ...]]:
    if not isinstance(hours, Mapping):
        raise ValueError("hours must be a mapping of weekday -> windows, or None for 7x24")
    week: list[tuple[_Window, ...]] = [()] * 7
    for weekday, windows in hours.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be an int 0..6 (0=Monday), got {weekday!r}")
        if isinstance(windows, str):
            raise ValueError(f"windows for weekday {weekday} must be (start, end) pairs")
        parsed: list[_Window] = []
        for window in windows:
            try:
                start_s, end_s = window
            except (TypeError, ValueError):
                raise ValueError(f"window must be a (start, end) pair, got {window!r}") from None
            s = _parse_hhmm(start_s, allow_24=False)
            e = _parse_hhmm(end_s, allow_24=True)
            if s >= e:
                raise ValueError(
                    f"window start must be before end ({start_s}-{end_s}); "
                    "split overnight shifts into two windows"
                )
            parsed.append((s, e))
        week[weekday] = _merge(parsed)
    frozen = _FrozenHours({wd: tuple((_fmt(s), _fmt(e)) for s, e in week[wd]) for wd in sorted(hours)})
    return frozen, tuple(week)


@lru_cache(maxsize=16384)
def _utc_intervals(tz_key: str, day: date, windows: tuple[_Window, ...]) -> tuple[_Interval, ...]:
    """Real (UTC) intervals of the local ``windows`` on ``day`` – sorted, merged, non-empty."""
    zone = ZoneInfo(tz_key)  # ZoneInfo instances are cached by key
    out: list[list[datetime]] = []
    for s_min, e_min in windows:
        s = datetime.combine(day, time(s_min // 60, s_min % 60), tzinfo=zone).astimezone(UTC)
        if e_min == _MINUTES_PER_DAY:
            e_local = datetime.combine(day + _ONE_DAY, time(0, 0), tzinfo=zone)
        else:
            e_local = datetime.combine(day, time(e_min // 60, e_min % 60), tzinfo=zone)
        e = e_local.astimezone(UTC)
        if e > s:
            out.append([s, e])
    out.sort()
    merged: list[list[datetime]] = []
    for s, e in out:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((s, e) for s, e in merged)


def _require_aware(name: str, value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return value.astimezone(UTC)


def _as_date_set(name: str, values: Iterable[date]) -> frozenset[date]:
    result = frozenset(values)
    for d in result:
        if not isinstance(d, date) or isinstance(d, datetime):
            raise ValueError(f"{name} must contain dates, got {d!r}")
    return result


_ALL_DAY: tuple[_Window, ...] = ((0, _MINUTES_PER_DAY),)


@dataclass(frozen=True, kw_only=True)
class BusinessCalendar:
    """Working-time calendar; see the module docstring for the exact semantics."""

    calendar_id: str
    timezone: str = "Asia/Shanghai"
    # weekday (0=Mon..6=Sun) -> (("HH:MM", "HH:MM"), ...) local windows; None = 7x24
    hours: Mapping[int, tuple[tuple[str, str], ...]] | None = None
    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    makeup_weekday: int = 0
    public_holidays: str | None = None  # "china": follow the shared China calendar
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)
    _week: tuple[tuple[_Window, ...], ...] | None = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.calendar_id, str) or not self.calendar_id.strip():
            raise ValueError("calendar_id must be a non-empty string")
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ValueError(f"unknown time zone: {self.timezone!r}") from None
        if (
            isinstance(self.makeup_weekday, bool)
            or not isinstance(self.makeup_weekday, int)
            or not 0 <= self.makeup_weekday <= 6
        ):
            raise ValueError("makeup_weekday must be an int 0..6 (0=Monday)")
        check_source(self.public_holidays)
        holidays = _as_date_set("holidays", self.holidays)
        makeup = _as_date_set("makeup_workdays", self.makeup_workdays)
        clash = holidays & makeup
        if clash:
            raise ValueError(f"dates cannot be both holidays and makeup workdays: {sorted(clash)}")
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "makeup_workdays", makeup)
        object.__setattr__(self, "_zone", zone)
        if self.hours is None:
            object.__setattr__(self, "_week", None)
        else:
            frozen, week = _normalise_hours(self.hours)
            object.__setattr__(self, "hours", frozen)
            object.__setattr__(self, "_week", week)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def always(cls, calendar_id: str = "24x7") -> BusinessCalendar:
        """A 7x24 calendar: business time equals real time."""
        return cls(calendar_id=calendar_id, hours=None)

    @classmethod
    def working_hours(
        cls,
        calendar_id: str,
        *,
        days: Iterable[int],
        start: str,
        end: str,
        timezone: str = "Asia/Shanghai",
        holidays: Iterable[date] = frozenset(),
        makeup_workdays: Iterable[date] = frozenset(),
        public_holidays: str | None = None,
    ) -> BusinessCalendar:
        """Same ``start``-``end`` window on each of ``days`` (0=Mon..6=Sun).

        Make-up workdays use the same window (``makeup_weekday`` = first of ``days``).
        """
        day_list = sorted(set(days))
        return cls(
            calendar_id=calendar_id,
            timezone=timezone,
            hours={d: ((start, end),) for d in day_list},
            holidays=frozenset(holidays),
            makeup_workdays=frozenset(makeup_workdays),
            makeup_weekday=day_list[0] if day_list else 0,
            public_holidays=public_holidays,
        )

    # ------------------------------------------------------------------ internals
    @property
    def is_24x7(self) -> bool:
        return self._week is None

    @property
    def _plain(self) -> bool:
        """7x24 without any holiday: business time is real time."""
        return self._week is None and not self.holidays and self.public_holidays is None

    def _local_windows(self, day: date) -> tuple[_Window, ...]:
        if day in self.holidays:
            return ()
        if day in self.makeup_workdays:  # the calendar's own days win over the public ones
            return _ALL_DAY if self._week is None else self._week[self.makeup_weekday]
        kind = DayKind.ORDINARY
        if self.public_holidays is not None:
            kind = day_kind(self.public_holidays, day, self.calendar_id)
        if kind is DayKind.HOLIDAY:
            return ()
        if self._week is None:
            return _ALL_DAY
        if kind is DayKind.MAKEUP_WORKDAY:
            return self._week[self.makeup_weekday]
        return self._week[day.weekday()]

    def _intervals(self, day: date) -> tuple[_Interval, ...]:
        windows = self._local_windows(day)
        if not windows:
            return ()
        return _utc_intervals(self.timezone, day, windows)

    def _has_any_hours(self) -> bool:
        if self._week is None:
            return True
        makeups = bool(self.makeup_workdays) or self.public_holidays is not None
        return any(self._week) or (makeups and bool(self._week[self.makeup_weekday]))

    def _first_day(self, at_utc: datetime) -> date:
        # Start one local day early: cheap, and robust to DST oddities around midnight.
        return at_utc.astimezone(self._zone).date() - _ONE_DAY

    # ------------------------------------------------------------------ public API
    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Instant (UTC) at which ``duration`` of business time has elapsed after ``start``."""
        start_utc = _require_aware("start", start)
        if not isinstance(duration, timedelta):
            raise ValueError("duration must be a timedelta")
        if duration < _ZERO:
            raise ValueError("duration must not be negative")
        if duration == _ZERO:
            return start_utc
        if self._plain:
            return start_utc + duration
        if not self._has_any_hours():
            raise ValueError(f"calendar {self.calendar_id!r} has no working time")

        remaining = duration
        cursor = start_utc
        day = self._first_day(start_utc)
        empty_days = 0
        while empty_days <= _MAX_EMPTY_DAYS:
            found = False
            for s, e in self._intervals(day):
                if e <= cursor:
                    continue
                found = True
                s = max(s, cursor)
                available = e - s
                if remaining <= available:
                    return s + remaining
                remaining -= available
                cursor = e
            empty_days = 0 if found else empty_days + 1
            day += _ONE_DAY
        raise ValueError(f"calendar {self.calendar_id!r} has no working time within {_MAX_EMPTY_DAYS} days")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time within ``[start, end)``; zero if ``end <= start``."""
        start_utc = _require_aware("start", start)
        end_utc = _require_aware("end", end)
        if end_utc <= start_utc:
            return _ZERO
        if self._plain:
            return end_utc - start_utc
        total = _ZERO
        cursor = start_utc
        day = self._first_day(start_utc)
        last_day = end_utc.astimezone(self._zone).date() + _ONE_DAY
        while day <= last_day:
            for s, e in self._intervals(day):
                s = max(s, cursor)
                e = min(e, end_utc)
                if e > s:
                    total += e - s
                    cursor = e
            day += _ONE_DAY
        return total

    def is_working(self, at: datetime) -> bool:
        """Whether ``at`` lies inside working time (windows are half-open ``[start, end)``)."""
        at_utc = _require_aware("at", at)
        if self._plain:
            return True
        day = self._first_day(at_utc)
        for offset in range(3):
            for s, e in self._intervals(day + timedelta(days=offset)):
                if s <= at_utc < e:
                    return True
        return False
