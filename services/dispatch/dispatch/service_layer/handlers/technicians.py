"""Technicians (registered, updated, activated or not) and the roster: what assignment decides over.
The unit of work drops the directory's cache after the commit."""

from __future__ import annotations

from dispatch.domain.commands import RegisterTechnician, SaveRoster, SetTechnicianStatus, UpdateTechnician
from dispatch.domain.errors import TechnicianExists, TechnicianNotFound
from dispatch.domain.roster_document import roster_from_document
from dispatch.domain.technician import Technician
from dispatch.service_layer.assigning import now
from dispatch.service_layer.unit_of_work import DispatchUnitOfWork
from shared.messagebus import Handler


async def register_technician(command: RegisterTechnician, uow: DispatchUnitOfWork) -> None:
    if await uow.technicians.get(command.technician_id) is not None:
        raise TechnicianExists(command.technician_id)
    uow.technicians.add(
        Technician.register(
            technician_id=command.technician_id,
            name=command.name,
            level=command.level,
            skills=command.skills,
            home_region=command.home_region,
            regions=command.regions,
            capacity=command.capacity,
            now=now(),
        )
    )


async def _technician(uow: DispatchUnitOfWork, technician_id: str) -> Technician:
    technician = await uow.technicians.get(technician_id)
    if technician is None:
        raise TechnicianNotFound(technician_id)
    return technician


async def update_technician(command: UpdateTechnician, uow: DispatchUnitOfWork) -> None:
    technician = await _technician(uow, command.technician_id)
    technician.update(
        level=command.level,
        skills=command.skills,
        home_region=command.home_region,
        regions=command.regions,
        capacity=command.capacity,
        now=now(),
    )


async def set_technician_status(command: SetTechnicianStatus, uow: DispatchUnitOfWork) -> None:
    technician = await _technician(uow, command.technician_id)
    technician.set_status(command.status, now())


async def save_roster(command: SaveRoster, uow: DispatchUnitOfWork) -> None:
    roster_from_document(command.document)  # refuses a bad time, zone or leave, naming the part
    await uow.rosters.save(dict(command.document))
    uow.directory_changed = True


HANDLERS: dict[type, Handler] = {
    RegisterTechnician: register_technician,
    UpdateTechnician: update_technician,
    SetTechnicianStatus: set_technician_status,
    SaveRoster: save_roster,
}
