"""The one China calendar: public holidays and make-up working days (调休) as the State Council sets them.

Every service reads the same data, `china.json` beside this module, generated from the pinned
`chinese-calendar` library by `python -m shared.calendars.refresh` (see that module for why that
library and how to add next year). Intake's warranty rules and the SLA monitor's business calendars
both go through :func:`china_calendar`, so a ticket's entitlement, the hotline lookup and the SLA
deadlines cannot disagree about which days are worked.

Standard library only, so that domain code may import it. The file is read once per process.

A day is, in this order: a public holiday (no work, whatever the weekday); a make-up working day
(a Saturday or Sunday worked in exchange for a holiday bridge); else a working day Monday to Friday
and a rest day at the weekend. The schedule is only known for the years the data covers
(``first_year``..``last_year``): asking whether a later day is worked raises :class:`BeyondCalendar`,
a ``ValueError`` naming the years covered and the refresh command. Callers that must answer anyway
decide how, and say so: the warranty end treats such a day as an ordinary week day and marks the
answer provisional; the SLA monitor logs a warning and treats it as an ordinary day.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

DATA_PATH = Path(__file__).with_name("china.json")
REFRESH_COMMAND = "python -m shared.calendars.refresh"
_WEEKEND = frozenset({5, 6})  # date.weekday(): Saturday, Sunday


class BeyondCalendar(ValueError):
    """A day outside the years whose holiday schedule has been published and shipped."""

    def __init__(self, day: date, first_year: int, last_year: int) -> None:
        super().__init__(
            f"{day.isoformat()} is beyond the China holiday calendar (covers {first_year}-{last_year}); "
            f"when the State Council publishes {last_year + 1}, run `{REFRESH_COMMAND}`"
        )
        self.day = day


@dataclass(frozen=True)
class ChinaCalendar:
    """Holidays and make-up working days (date -> festival name) for ``first_year``..``last_year``."""

    first_year: int
    last_year: int
    holidays: Mapping[date, str]
    makeup_workdays: Mapping[date, str]
    source: str = ""

    def covers(self, day: date) -> bool:
        return self.first_year <= day.year <= self.last_year

    def _require(self, day: date) -> None:
        if not self.covers(day):
            raise BeyondCalendar(day, self.first_year, self.last_year)

    def is_holiday(self, day: date) -> bool:
        self._require(day)
        return day in self.holidays

    def is_makeup_workday(self, day: date) -> bool:
        self._require(day)
        return day in self.makeup_workdays

    def is_working_day(self, day: date, *, beyond_ok: bool = False) -> bool:
        """Whether ``day`` is worked; beyond the data: :class:`BeyondCalendar`, or with
        ``beyond_ok`` the ordinary week (Monday to Friday)."""
        if not self.covers(day):
            if not beyond_ok:
                self._require(day)
            return day.weekday() not in _WEEKEND
        if day in self.holidays:
            return False
        return day in self.makeup_workdays or day.weekday() not in _WEEKEND

    def next_working_day(self, day: date, *, beyond_ok: bool = False) -> date:
        """``day`` itself if it is worked, else the first working day after it."""
        for _ in range(366):
            if self.is_working_day(day, beyond_ok=beyond_ok):
                return day
            day += timedelta(days=1)
        raise ValueError("no working day within a year")  # pragma: no cover - impossible with real data


def _dates(entries: Mapping[str, str]) -> Mapping[date, str]:
    return MappingProxyType({date.fromisoformat(day): name for day, name in entries.items()})


def load(path: Path = DATA_PATH) -> ChinaCalendar:
    """Read a calendar document (the format `shared.calendars.refresh` writes)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    calendar = ChinaCalendar(
        first_year=int(document["first_year"]),
        last_year=int(document["last_year"]),
        holidays=_dates(document["holidays"]),
        makeup_workdays=_dates(document["makeup_workdays"]),
        source=document.get("source", ""),
    )
    clash = set(calendar.holidays) & set(calendar.makeup_workdays)
    if clash:
        raise ValueError(f"{path}: days both holiday and make-up working day: {sorted(clash)}")
    return calendar


@lru_cache(maxsize=1)
def china_calendar() -> ChinaCalendar:
    """The shipped calendar, read once."""
    return load()
