"""What routes are given (FastAPI dependencies): the bus, the views, who is calling, e.g.
`async def close(ticket_id: str, body: CloseIn, bus: BusDep, principal: Office)`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from intake.service_layer.bus import IntakeBus
from intake.views.archive import ArchiveViews
from intake.views.tickets import TicketViews
from shared.auth import Allow, Principal, Role


async def bus(request: Request) -> IntakeBus:  # async: a plain def would run in a thread
    return request.app.state.bus


async def ticket_views(request: Request) -> TicketViews:
    runtime = request.app.state.runtime
    return TicketViews(runtime.engine, runtime.store)


async def archive_views(request: Request) -> ArchiveViews:
    runtime = request.app.state.runtime
    return ArchiveViews(runtime.engine, runtime.store)


BusDep = Annotated[IntakeBus, Depends(bus)]
TicketViewsDep = Annotated[TicketViews, Depends(ticket_views)]
ArchiveViewsDep = Annotated[ArchiveViews, Depends(archive_views)]

OFFICE = (Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN)
Creator = Annotated[Principal, Depends(Allow(Role.INTEGRATION, *OFFICE))]
Reader = Annotated[Principal, Depends(Allow(Role.INTEGRATION, Role.TECHNICIAN, *OFFICE))]
Office = Annotated[Principal, Depends(Allow(*OFFICE))]
FieldOrOffice = Annotated[Principal, Depends(Allow(Role.TECHNICIAN, *OFFICE))]
# Complaints are handled apart from the service department (seed 002): the office and integrations
# file and read them, only the complaint desk answers them.
ComplaintFiler = Annotated[Principal, Depends(Allow(Role.INTEGRATION, Role.COMPLAINT_DESK, *OFFICE))]
ComplaintDesk = Annotated[Principal, Depends(Allow(Role.COMPLAINT_DESK))]
ArchiveEditor = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN, Role.DISPATCHER))]
ArchiveReader = Annotated[
    Principal, Depends(Allow(Role.INTEGRATION, Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN))
]
