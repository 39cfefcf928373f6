from datetime import UTC, datetime, timedelta

import pytest
from dispatch.domain.assignment import TechnicianProfile
from dispatch.domain.errors import InvalidCommand
from dispatch.domain.events import (
    TECHNICIAN_EVENTS,
    TechnicianRegistered,
    TechnicianStatusChanged,
    TechnicianUpdated,
)
from dispatch.domain.technician import Technician, TechnicianStatus

T0 = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)


def register(**kw):
    args = dict(
        technician_id="tech-1",
        name="Wang Fang",
        level=2,
        skills=("printer", "copier"),
        home_region="north",
        regions=("east",),
        capacity=4,
        now=T0,
    )
    args.update(kw)
    return Technician.register(**args)


def test_register_records_the_event():
    tech = register()
    assert tech.pending_events == [
        TechnicianRegistered(
            technician_id="tech-1",
            name="Wang Fang",
            level=2,
            skills=("copier", "printer"),
            home_region="north",
            regions=("east",),
            capacity=4,
            occurred_at=T0,
        )
    ]
    assert tech.version == 1 and tech.active


@pytest.mark.parametrize("level", [0, 5, -1, True, "2"])
def test_level_must_be_1_to_4(level):
    with pytest.raises(InvalidCommand) as exc:
        register(level=level)
    assert exc.value.field == "level" and exc.value.code == "invalid_command"


def test_capacity_must_not_be_negative():
    with pytest.raises(InvalidCommand) as exc:
        register(capacity=-1)
    assert exc.value.field == "capacity"
    assert register(capacity=0).capacity == 0


@pytest.mark.parametrize("field, value", [("name", ""), ("technician_id", " "), ("home_region", "")])
def test_required_fields(field, value):
    with pytest.raises(InvalidCommand) as exc:
        register(**{field: value})
    assert exc.value.field == field


def test_update_replaces_the_profile():
    tech = register()
    changed = tech.update(
        level=3, skills=["printer"], home_region="south", regions=(), capacity=2, now=T0 + timedelta(days=1)
    )
    assert changed
    assert tech.pending_events[-1] == TechnicianUpdated(
        technician_id="tech-1",
        level=3,
        skills=("printer",),
        home_region="south",
        regions=(),
        capacity=2,
        occurred_at=T0 + timedelta(days=1),
    )
    assert (tech.level, tech.home_region, tech.capacity) == (3, "south", 2)


def test_update_validates_and_an_unchanged_profile_records_nothing():
    tech = register()
    with pytest.raises(InvalidCommand) as exc:
        tech.update(level=5, skills=(), home_region="north", regions=(), capacity=1, now=T0)
    assert exc.value.field == "level"
    with pytest.raises(InvalidCommand) as exc:
        tech.update(level=2, skills=(), home_region="north", regions=(), capacity=-3, now=T0)
    assert exc.value.field == "capacity"
    assert not tech.update(
        level=2, skills=("printer", "copier"), home_region="north", regions=("east",), capacity=4, now=T0
    )
    assert tech.version == 1


def test_set_status():
    tech = register()
    assert tech.set_status("inactive", T0)
    assert tech.pending_events[-1] == TechnicianStatusChanged(
        technician_id="tech-1", status="inactive", occurred_at=T0
    )
    assert tech.status is TechnicianStatus.INACTIVE and not tech.active
    assert not tech.set_status("inactive", T0)
    assert tech.version == 2
    with pytest.raises(InvalidCommand) as exc:
        tech.set_status("on_leave", T0)
    assert exc.value.field == "status"


def test_profile():
    tech = register()
    assert tech.profile() == TechnicianProfile(
        technician_id="tech-1",
        level=2,
        skills=frozenset({"printer", "copier"}),
        home_region="north",
        regions=frozenset({"east"}),
        capacity=4,
        active=True,
    )
    tech.set_status("inactive", T0)
    assert tech.profile().active is False


def test_replay_equals_live_state():
    tech = register()
    tech.update(
        level=3,
        skills=("scanner",),
        home_region="north",
        regions=("west", "east"),
        capacity=5,
        now=T0 + timedelta(hours=1),
    )
    tech.set_status("inactive", T0 + timedelta(hours=2))
    replayed = Technician.replay(tech.pending_events)
    live = {k: v for k, v in vars(tech).items() if k != "pending_events"}
    assert {k: v for k, v in vars(replayed).items() if k != "pending_events"} == live
    assert replayed.profile() == tech.profile()


def test_technician_events_are_listed():
    assert (TechnicianRegistered, TechnicianUpdated, TechnicianStatusChanged) == TECHNICIAN_EVENTS
