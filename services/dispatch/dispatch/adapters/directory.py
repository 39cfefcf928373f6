"""Technicians and the roster: the profiles assignment decides over, cached for the hot path.

One instance per process, shared by every unit of work (the cache is the point); reads on its own
connection. The unit of work invalidates it when a technician or the roster changed."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dispatch.adapters.tables import rosters, technicians
from dispatch.domain.assignment import JobNeed, TechnicianProfile
from dispatch.domain.maintenance import on_shift_that_day
from dispatch.domain.roster_document import DEFAULT_TIMEZONE, everyone_on_shift, roster_from_document

ROSTER_ID = "default"
OnShift = Callable[[str, datetime], bool]


class Directory:
    """Profiles and roster from PostgreSQL; a write here is seen at once, other replicas within `ttl_s`."""

    def __init__(self, engine: Callable[[], AsyncEngine], ttl_s: float = 10.0) -> None:
        self._engine = engine
        self.ttl_s = ttl_s
        self._profiles: list[TechnicianProfile] = []
        self._by_id: dict[str, TechnicianProfile] = {}
        self._on_shift: OnShift = everyone_on_shift
        self._timezone = DEFAULT_TIMEZONE
        self._loaded_at = 0.0

    def invalidate(self) -> None:
        self._loaded_at = 0.0

    async def _fresh(self) -> None:
        if time.monotonic() - self._loaded_at <= self.ttl_s:
            return
        async with self._engine().connect() as conn:
            rows = (await conn.execute(select(technicians))).mappings().all()
            roster = (
                await conn.execute(select(rosters.c.document).where(rosters.c.roster_id == ROSTER_ID))
            ).scalar()
        self._profiles = [
            TechnicianProfile(
                technician_id=r["technician_id"],
                level=r["level"],
                skills=frozenset(r["skills"]),
                home_region=r["home_region"],
                regions=frozenset(r["regions"]),
                capacity=r["capacity"],
                active=r["status"] == "active",
            )
            for r in rows
        ]
        self._by_id = {p.technician_id: p for p in self._profiles}
        self._by_region: dict[str, list[TechnicianProfile]] = {}
        self._by_skill: dict[str, list[TechnicianProfile]] = {}
        for profile in self._profiles:
            for region in {profile.home_region, *profile.regions}:
                self._by_region.setdefault(region, []).append(profile)
            for skill in profile.skills:
                self._by_skill.setdefault(skill, []).append(profile)
        if roster is None:
            self._on_shift, self._timezone = everyone_on_shift, DEFAULT_TIMEZONE
        else:
            parsed = roster_from_document(roster)
            self._on_shift, self._timezone = parsed.is_on_shift, parsed.timezone
        self._loaded_at = time.monotonic()

    async def profiles(self) -> list[TechnicianProfile]:
        await self._fresh()
        return self._profiles

    async def candidates(self, need: JobNeed) -> list[TechnicianProfile]:
        """Only those who could fit: the region's people for on-site work, else the skill's."""
        await self._fresh()
        if need.on_site:
            pool = self._by_region.get(need.region, [])
            return [p for p in pool if need.product_line is None or need.product_line in p.skills]
        if need.product_line is not None:
            return self._by_skill.get(need.product_line, [])
        return self._profiles

    async def profile(self, technician_id: str) -> TechnicianProfile | None:
        await self._fresh()
        return self._by_id.get(technician_id)

    async def on_shift(self) -> OnShift:
        await self._fresh()
        return self._on_shift

    async def on_shift_on(self, day: date) -> Callable[[str], bool]:
        """Who is on the roster at some time of `day`: a visit is staffed from its day's roster."""
        await self._fresh()
        if self._on_shift is everyone_on_shift:
            return lambda _technician_id: True
        return on_shift_that_day(self._on_shift, day, self._timezone)

    @staticmethod
    async def loads(conn: AsyncConnection, among: list[TechnicianProfile] | None = None) -> dict[str, int]:
        """Open jobs per technician now (of `among` only, when given: one indexed lookup)."""
        query = select(technicians.c.technician_id, technicians.c.load).where(technicians.c.load > 0)
        if among is not None:
            query = query.where(technicians.c.technician_id.in_([p.technician_id for p in among]))
        return {r.technician_id: r.load for r in await conn.execute(query)}
