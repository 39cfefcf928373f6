"""The SLA policies and calendars intake knows of, on the unit of work's connection.

Filled from the SLA monitor's `PolicyPublished` / `CalendarPublished` events (the sla-catalog
consumer); read when a contract is saved and when a ticket is opened. Recording is idempotent (a
redelivered or re-seeded publication changes nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert

from intake.adapters.tables import sla_references


class SlaReferences:
    def __init__(self, uow: Any, known_memo: set[tuple[str, str]] | None = None) -> None:
        self._uow = uow  # the unit of work: its connection exists once it is entered
        # References found published. Intake's record of publications only grows (the table is
        # insert-only: the SLA monitor announces no deletion), so a caller may keep this set as long as
        # it likes: ticket openings keep one per process and ask only for references not yet seen.
        self._known = known_memo if known_memo is not None else set()

    async def record(self, kind: str, reference_id: str, published_at: datetime) -> None:
        await self._uow.conn.execute(
            insert(sla_references)
            .values(kind=kind, reference_id=reference_id, published_at=published_at)
            .on_conflict_do_nothing()
        )

    async def known(self, wanted: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which of the (kind, id) pairs have been published, in one round trip."""
        unseen = [pair for pair in wanted if pair not in self._known]
        if not unseen:
            return set(wanted)
        rows = await self._uow.conn.execute(
            select(sla_references.c.kind, sla_references.c.reference_id).where(
                or_(
                    *(
                        and_(sla_references.c.kind == kind, sla_references.c.reference_id == ref)
                        for kind, ref in unseen
                    )
                )
            )
        )
        self._known.update((row.kind, row.reference_id) for row in rows)
        return {pair for pair in wanted if pair in self._known}
