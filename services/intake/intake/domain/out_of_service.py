"""Days a unit was out of service for repair or waiting for parts, which extend its warranty.

Seed 004: the warranty is extended by "因修理占用、无零配件待修延误的时间". An outage runs from the day the
fault was reported (or the ticket reopened) to the day the repair was finished, and is counted as the
law counts days (民法典 art. 201, see `periods`): the reporting day is not counted, the day the unit
is back is. Reported on 1 March and repaired on 6 March: 5 days.

Outages can overlap (two tickets about the same unit open at once): a day counts once, so the days
are the union of the outages, not their sum. An outage not yet over counts nothing yet: the extension
is known when the unit is back in service.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, kw_only=True)
class Outage:
    ticket_id: str
    started_on: date  # the local day the fault was reported (not counted)
    ended_on: date | None  # the local day the unit was back in service; None: not yet
    waited_for_parts: bool = False


@dataclass(frozen=True, kw_only=True)
class Extension:
    days: int
    reasons: tuple[str, ...]


def days_out_of_service(outages: Iterable[Outage]) -> int:
    """The days in the union of the finished outages, each counted from the day after it started."""
    days: set[date] = set()
    for outage in outages:
        if outage.ended_on is None or outage.ended_on <= outage.started_on:
            continue
        span = (outage.ended_on - outage.started_on).days
        days.update(outage.started_on + timedelta(days=n) for n in range(1, span + 1))
    return len(days)


def extension(outages: Iterable[Outage]) -> Extension:
    """The warranty extension and one reason per finished outage (overlaps said, counted once)."""
    finished = sorted(
        (o for o in outages if o.ended_on is not None and o.ended_on > o.started_on),
        key=lambda o: (o.started_on, o.ticket_id),
    )
    total = days_out_of_service(finished)
    reasons = []
    for outage in finished:
        assert outage.ended_on is not None
        why = "repair and waiting for parts" if outage.waited_for_parts else "repair"
        reasons.append(
            f"out of service for {why} {outage.started_on.isoformat()}..{outage.ended_on.isoformat()} "
            f"({(outage.ended_on - outage.started_on).days} days, ticket {outage.ticket_id})"
        )
    if total < sum((o.ended_on - o.started_on).days for o in finished if o.ended_on):
        reasons.append(f"overlapping days counted once: {total} days in all")
    return Extension(days=total, reasons=tuple(reasons))
