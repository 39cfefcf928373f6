"""What routes are given: the message bus (writes), the views' reader (reads), who may call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from shared.auth import Allow, Principal, Role
from shared.messagebus import MessageBus
from sla_monitor.views import Reader


def _bus(request: Request) -> MessageBus:
    return request.app.state.bus


def _reader(request: Request) -> Reader:
    return request.app.state.views


BusDep = Annotated[MessageBus, Depends(_bus)]
ReaderDep = Annotated[Reader, Depends(_reader)]
Admin = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN))]
Office = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN, Role.SUPERVISOR, Role.DISPATCHER))]
Planner = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN, Role.SUPERVISOR))]

# Ids in paths: anything a document may be stored under (a NUL character is refused at the edge for
# every service: shared.http.text_guard).
PolicyId = Annotated[str, Path(max_length=100)]
CalendarId = Annotated[str, Path(max_length=100)]
TicketId = Annotated[str, Path(max_length=200)]
