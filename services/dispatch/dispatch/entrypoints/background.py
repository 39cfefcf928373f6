"""Dispatch's periodic work, as commands through the bus like everything else: the queue gets another
try every second; the maintenance planner runs every minute."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from dispatch.domain.commands import AssignQueuedJobs, PlanMaintenance
from shared.envelope import EventMetadata
from shared.messagebus import MessageBus

DRAIN_EVERY_S = 1.0
PLAN_EVERY_S = 60.0


def _metadata() -> EventMetadata:
    return EventMetadata(actor="dispatch")


class QueueDrainer:
    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    async def run(self) -> None:
        while True:
            await self.bus.handle(AssignQueuedJobs(), metadata=_metadata())
            await asyncio.sleep(DRAIN_EVERY_S)


class MaintenancePlanner:
    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus

    async def run_once(self, today: date) -> None:
        await self.bus.handle(PlanMaintenance(today=today), metadata=_metadata())

    async def run(self) -> None:
        while True:
            await self.run_once(datetime.now(UTC).date())
            await asyncio.sleep(PLAN_EVERY_S)
