"""What routes are given: the message bus, the views, and the caller (by role)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from dispatch.views import DispatchViews
from shared.auth import Allow, Principal, Role
from shared.messagebus import MessageBus


def bus(request: Request) -> MessageBus:
    return request.app.state.bus


def views(request: Request) -> DispatchViews:
    return request.app.state.views


BusDep = Annotated[MessageBus, Depends(bus)]
ViewsDep = Annotated[DispatchViews, Depends(views)]

Admin = Annotated[Principal, Depends(Allow(Role.OPS_ADMIN))]
Office = Annotated[Principal, Depends(Allow(Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN))]
Assigner = Annotated[Principal, Depends(Allow(Role.DISPATCHER, Role.SUPERVISOR))]
Planner = Annotated[Principal, Depends(Allow(Role.DISPATCHER, Role.OPS_ADMIN))]
FieldTech = Annotated[Principal, Depends(Allow(Role.TECHNICIAN))]
JobReader = Annotated[
    Principal, Depends(Allow(Role.TECHNICIAN, Role.DISPATCHER, Role.SUPERVISOR, Role.OPS_ADMIN))
]
