"""The roster as a JSON document (what the API accepts and the database stores) into the domain's
`Roster`, with every problem named by the part of the document at fault.

Plain data in (the document's JSON form: strings for times, dates and instants), so the HTTP edge
and the stored copy are read the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

from dispatch.domain.errors import InvalidCommand
from dispatch.domain.roster import Leave, Roster, Rotation, Shift

T = TypeVar("T")
DEFAULT_TIMEZONE = "Asia/Shanghai"


def everyone_on_shift(_technician_id: str, _at: datetime) -> bool:
    """Before any roster is configured, every active technician counts as on shift."""
    return True


def roster_from_document(document: Mapping[str, Any]) -> Roster:
    timezone = _named("timezone", lambda: str(document.get("timezone", DEFAULT_TIMEZONE)))
    shifts = _named(
        "shifts",
        lambda: {
            technician: tuple(_shift(s) for s in shifts)
            for technician, shifts in dict(document.get("shifts") or {}).items()
        },
    )
    rotation = _named("rotation", lambda: _rotation(document.get("rotation")))
    groups = _named("groups", lambda: {str(k): str(v) for k, v in dict(document.get("groups") or {}).items()})
    leave = _named("leave", lambda: tuple(_leave(off) for off in document.get("leave") or ()))
    return _named(
        "timezone",
        lambda: Roster(timezone=timezone, shifts=shifts, rotation=rotation, groups=groups, leave=leave),
    )


def _named(field: str, build: Callable[[], T]) -> T:
    try:
        return build()
    except (ValueError, TypeError, KeyError, AttributeError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise InvalidCommand(f"invalid {field}: {exc}", field=field) from None


def _shift(doc: Mapping[str, Any]) -> Shift:
    return Shift(start=doc["start"], end=doc["end"], weekdays=frozenset(doc.get("weekdays", range(7))))


def _rotation(doc: Mapping[str, Any] | None) -> Rotation | None:
    if doc is None:
        return None
    shift = doc.get("shift")
    return Rotation(
        groups=tuple(doc["groups"]),
        anchor=_date(doc["anchor"]),
        period_days=doc.get("period_days", 7),
        shift=_shift(shift) if shift is not None else Shift(start="00:00", end="24:00"),
    )


def _leave(doc: Mapping[str, Any]) -> Leave:
    return Leave(technician_id=doc["technician_id"], start=_instant(doc["start"]), end=_instant(doc["end"]))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _instant(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
