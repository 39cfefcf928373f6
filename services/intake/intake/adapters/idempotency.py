"""Idempotency records of ticket openings, on the unit of work's connection (shared.idempotency's SQL).

Claims, releases and stored answers for any number of keys cost one statement each, so a group of
openings (group commit) claims and answers all its keys together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared import idempotency
from shared.idempotency import Claim, KeyUse, StoredResponse


class IdempotencyRecords:
    def __init__(self, uow: Any) -> None:
        self._uow = uow

    async def claim_many(self, uses: Sequence[KeyUse]) -> list[Claim]:
        """Per use: None (this request owns the key now), the first answer, or IdempotencyKeyReused."""
        return await idempotency.claim_many(self._uow.conn, uses)

    async def release_many(self, uses: Sequence[KeyUse]) -> None:
        """Give back keys of requests refused after all (a refused request may be retried, fixed)."""
        await idempotency.release_many(self._uow.conn, uses)

    async def remember_many(self, answers: Sequence[tuple[KeyUse, StoredResponse]]) -> None:
        await idempotency.remember_many(self._uow.conn, answers)
