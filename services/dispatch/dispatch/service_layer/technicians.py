"""Technician records (event-sourced, stream "tech:<id>") and the read model assignment uses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import any_, literal, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError

from dispatch.adapters.tables import technicians
from dispatch.domain.errors import InvalidCommand
from dispatch.domain.technician import Technician, stream_id
from dispatch.service_layer.directory import Directory, technician_row
from shared.domain_errors import Conflict, NotFound
from shared.envelope import EventMetadata
from shared.errors import ConcurrencyConflict
from shared.runtime import ServiceRuntime
from shared.unit_of_work import retry_on_conflict

STREAM_TYPE = "technician"


class TechnicianNotFound(NotFound):
    def __init__(self, technician_id: str) -> None:
        super().__init__("technician", technician_id, field="technician_id")


class TechnicianExists(Conflict):
    code = "exists"
    title = "Technician already registered"

    def __init__(self, technician_id: str) -> None:
        super().__init__(f"technician {technician_id} is already registered", field="technician_id")

    @property
    def detail(self) -> str | None:
        return None


class TechnicianService:
    def __init__(self, runtime: ServiceRuntime, directory: Directory) -> None:
        self.runtime = runtime
        self.directory = directory

    async def register(
        self,
        *,
        technician_id: str,
        name: str,
        level: int,
        skills: list[str],
        home_region: str,
        regions: list[str],
        capacity: int,
        metadata: EventMetadata,
    ) -> dict[str, Any]:
        technician = Technician.register(
            technician_id=technician_id,
            name=name,
            level=level,
            skills=skills,
            home_region=home_region,
            regions=regions,
            capacity=capacity,
            now=datetime.now(UTC),
        )
        try:
            async with self.runtime.uow() as uow:
                await uow.save(
                    technician,
                    stream_id=stream_id(technician_id),
                    stream_type=STREAM_TYPE,
                    metadata=metadata,
                    key=technician_id,
                )
                await uow.conn.execute(
                    insert(technicians).values(technician_id=technician_id, **technician_row(technician))
                )
                await uow.commit()
        except (ConcurrencyConflict, IntegrityError):
            raise TechnicianExists(technician_id) from None
        self.directory.invalidate()
        return self.document(technician, load=0)

    async def change(self, technician_id: str, action, metadata: EventMetadata) -> dict[str, Any]:
        async def attempt() -> dict[str, Any]:
            async with self.runtime.uow() as uow:
                technician = await uow.load(Technician, stream_id(technician_id))
                if technician is None:
                    raise TechnicianNotFound(technician_id)
                action(technician, datetime.now(UTC))
                await uow.save(
                    technician,
                    stream_id=stream_id(technician_id),
                    stream_type=STREAM_TYPE,
                    metadata=metadata,
                    key=technician_id,
                )
                values = technician_row(technician)
                await uow.conn.execute(
                    technicians.update().where(technicians.c.technician_id == technician_id).values(**values)
                )
                load = (
                    await uow.conn.execute(
                        select(technicians.c.load).where(technicians.c.technician_id == technician_id)
                    )
                ).scalar_one()
                await uow.commit()
                return self.document(technician, load=load)

        answer = await retry_on_conflict(attempt)
        self.directory.invalidate()
        return answer

    async def list(
        self,
        *,
        region: str | None = None,
        skill: str | None = None,
        level: int | None = None,
        on_shift_only: bool = False,
    ) -> list[dict[str, Any]]:
        query = select(technicians).order_by(technicians.c.technician_id)
        if region:
            query = query.where(
                (technicians.c.home_region == region) | (literal(region) == any_(technicians.c.regions))
            )
        if skill:
            query = query.where(literal(skill) == any_(technicians.c.skills))
        if level:
            query = query.where(technicians.c.level == level)
        async with self.runtime.engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        if on_shift_only:
            on_shift, now = await self.directory.on_shift(), datetime.now(UTC)
            rows = [r for r in rows if r["status"] == "active" and on_shift(r["technician_id"], now)]
        return rows

    @staticmethod
    def document(technician: Technician, *, load: int) -> dict[str, Any]:
        return {"technician_id": technician.technician_id, **technician_row(technician), "load": load}


def validate_status(status: str) -> None:
    if status not in ("active", "inactive"):
        raise InvalidCommand("status is active or inactive", field="status")
