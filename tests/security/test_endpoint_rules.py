"""The endpoint table: every non-public endpoint of every service has an authorisation rule."""

import pytest
from dispatch.entrypoints.app import create_app as dispatch_app
from fastapi import APIRouter
from intake.entrypoints.app import create_app as intake_app
from inventory.entrypoints.app import create_app as inventory_app
from notify.entrypoints.app import create_app as notify_app
from sla_monitor.entrypoints.app import create_app as sla_app

from shared.auth import unruled_routes

APPS = {
    "intake": intake_app,
    "dispatch": dispatch_app,
    "sla-monitor": sla_app,
    "inventory": inventory_app,
    "notify": notify_app,
}


@pytest.mark.parametrize("service", sorted(APPS))
def test_every_endpoint_has_an_authorisation_rule(service):
    assert unruled_routes(APPS[service]()) == []


def test_an_endpoint_added_without_a_rule_is_caught():
    app = intake_app()
    careless = APIRouter()

    @careless.get("/tickets/{ticket_id}/secret")
    async def secret(ticket_id: str) -> dict:
        return {}

    app.include_router(careless)
    assert unruled_routes(app) == ["['GET'] /tickets/{ticket_id}/secret"]
