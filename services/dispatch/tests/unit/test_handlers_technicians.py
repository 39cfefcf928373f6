"""Technicians and the roster through the bus on the in-memory unit of work."""

import pytest
from dispatch.domain.commands import RegisterTechnician, SaveRoster, SetTechnicianStatus, UpdateTechnician
from dispatch.domain.errors import InvalidCommand, TechnicianExists, TechnicianNotFound
from dispatch.domain.events import TechnicianRegistered, TechnicianStatusChanged, TechnicianUpdated

LI = RegisterTechnician(
    technician_id="li",
    name="Li",
    level=1,
    skills=("elevator",),
    home_region="SH",
    regions=("BJ",),
    capacity=3,
)


def types(world):
    return [type(e) for e in world.streams.events("tech:li")]


async def test_register_once(bus, world):
    await bus.handle(LI)
    assert types(world) == [TechnicianRegistered]
    with pytest.raises(TechnicianExists):
        await bus.handle(LI)
    assert types(world) == [TechnicianRegistered]


async def test_update_records_only_a_change(bus, world):
    await bus.handle(LI)
    update = UpdateTechnician(technician_id="li", level=2, skills=("elevator",), home_region="SH", capacity=4)
    await bus.handle(update)
    await bus.handle(update)
    assert types(world) == [TechnicianRegistered, TechnicianUpdated]
    with pytest.raises(TechnicianNotFound):
        await bus.handle(UpdateTechnician(technician_id="nobody", level=1, home_region="SH", capacity=1))


async def test_status_changes_and_refuses_an_unknown_status(bus, world):
    await bus.handle(LI)
    await bus.handle(SetTechnicianStatus(technician_id="li", status="inactive"))
    assert types(world) == [TechnicianRegistered, TechnicianStatusChanged]
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(SetTechnicianStatus(technician_id="li", status="asleep"))
    assert exc.value.field == "status"


async def test_the_roster_is_checked_saved_and_the_directory_refreshed(bus, world):
    roster = {"timezone": "Asia/Shanghai", "shifts": {"li": [{"start": "08:00", "end": "16:00"}]}}
    await bus.handle(SaveRoster(document=roster))
    assert world.roster == roster and world.invalidated == 1


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"shifts": {"li": [{"start": "25:00", "end": "08:00"}]}}, "shifts"),
        (
            {
                "leave": [
                    {"technician_id": "li", "start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"}
                ]
            },
            "leave",
        ),
        ({"rotation": {"groups": [], "anchor": "2026-01-01"}}, "rotation"),
    ],
)
async def test_a_bad_roster_is_refused_naming_the_part(bus, world, document, field):
    with pytest.raises(InvalidCommand) as exc:
        await bus.handle(SaveRoster(document=document))
    assert exc.value.field == field and world.roster is None
