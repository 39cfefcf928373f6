"""The exactly-once guard: a row per (ticket, clock, threshold) in `sla_emissions`, inserted in the
unit of work's transaction before the events are appended. A replayed input, a second replica or a
restart that computes the same threshold again finds the row taken and emits nothing."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text

from shared.unit_of_work import SqlUnitOfWork
from sla_monitor.domain.events import SlaEvent, once_key

# One statement text whatever the number of keys (arrays, not a VALUES list): prepared once, not
# compiled again for every ticket -- that compilation was a large part of catching up on overdue clocks.
# The row's id is drawn by PostgreSQL (a random UUID as before), not encoded and sent per key, and the
# keys won come back as three arrays in one row, not as a row each.
_CLAIM = text(
    "WITH won AS (INSERT INTO sla_emissions (ticket_id, clock, threshold, event_id) "
    "SELECT k.ticket_id, k.clock, k.threshold, gen_random_uuid() "
    "FROM unnest(CAST(:tickets AS text[]), CAST(:clocks AS text[]), CAST(:thresholds AS text[]))"
    " AS k(ticket_id, clock, threshold) "
    "ON CONFLICT DO NOTHING RETURNING ticket_id, clock, threshold) "
    "SELECT array_agg(ticket_id), array_agg(clock), array_agg(threshold) FROM won"
)


class SlaEmissions:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        self._uow = uow

    async def claim(self, emitted: Sequence[SlaEvent]) -> list[SlaEvent]:
        """The events nobody emitted before (each key claimed now, for good)."""
        if not emitted:
            return []
        keyed = {once_key(event): event for event in emitted}
        keys = list(keyed)
        columns = {
            "tickets": [k[0] for k in keys],
            "clocks": [k[1] for k in keys],
            "thresholds": [k[2] for k in keys],
        }
        tickets, clocks, thresholds = (await self._uow.conn.execute(_CLAIM, columns)).one()
        won = set(zip(tickets, clocks, thresholds, strict=True)) if tickets else set()
        return [event for key, event in keyed.items() if key in won]
