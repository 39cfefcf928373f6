"""Who may call what: the table of (role, endpoint) on every service. It fails when an endpoint is
added, removed or re-ruled without updating the table, and it calls every endpoint on the running
service with no token (401) and with every role the table refuses (403), checking nothing is written."""

import pytest
from dispatch.config import Settings as DispatchSettings
from dispatch.entrypoints.app import create_app as dispatch_app
from intake.config import Settings as IntakeSettings
from intake.entrypoints.app import create_app as intake_app
from inventory.config import Settings as InventorySettings
from inventory.entrypoints.app import create_app as inventory_app
from notify.config import Settings as NotifySettings
from notify.entrypoints.app import create_app as notify_app
from sla_monitor.config import Settings as SlaSettings
from sla_monitor.entrypoints.app import create_app as sla_app
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.auth.dependencies import route_rules
from shared.testing.services import Tokens, running_service, service_settings

# I integration, T technician, D dispatcher, S supervisor, C inventory-clerk, A ops-admin, K complaint-desk
ROLES = {
    "I": "integration",
    "T": "technician",
    "D": "dispatcher",
    "S": "supervisor",
    "C": "inventory-clerk",
    "A": "ops-admin",
    "K": "complaint-desk",
}
TABLE = {
    "intake": {
        ("POST", "/admin/api-keys"): "A",
        ("DELETE", "/admin/api-keys/{key_id}"): "A",
        ("POST", "/complaints"): "ADIKS",
        ("GET", "/complaints/{complaint_id}"): "ADIKS",
        ("POST", "/complaints/{complaint_id}/reply"): "K",
        ("POST", "/customers"): "AD",
        ("GET", "/customers/{company_id}"): "ADIS",
        ("GET", "/customers/{company_id}/events"): "ADIS",
        ("GET", "/units/{unit_id}"): "ADIS",
        ("GET", "/units/{unit_id}/events"): "ADIS",
        ("GET", "/contracts/{contract_id}"): "ADIS",
        ("GET", "/contracts/{contract_id}/events"): "ADIS",
        ("PUT", "/customers/{company_id}"): "AD",
        ("POST", "/customers/{company_id}/contacts"): "AD",
        ("PUT", "/customers/{company_id}/contacts/{row_id}"): "AD",
        ("POST", "/customers/{company_id}/contracts"): "AD",
        ("PUT", "/customers/{company_id}/contracts/{row_id}"): "AD",
        ("POST", "/customers/{company_id}/sites"): "AD",
        ("PUT", "/customers/{company_id}/sites/{row_id}"): "AD",
        ("POST", "/customers/{company_id}/units"): "AD",
        ("PUT", "/customers/{company_id}/units/{row_id}"): "AD",
        ("DELETE", "/customers/{company_id}/{kind}/{row_id}"): "AD",
        ("GET", "/lookup"): "ADIS",
        ("GET", "/tickets"): "ADIST",
        ("POST", "/tickets"): "ADIS",
        ("GET", "/tickets/{ticket_id}"): "ADIST",
        ("POST", "/tickets/{ticket_id}/await-customer"): "ADST",
        ("POST", "/tickets/{ticket_id}/await-parts"): "ADST",
        ("POST", "/tickets/{ticket_id}/cancel"): "ADS",
        ("POST", "/tickets/{ticket_id}/classify"): "ADS",
        ("POST", "/tickets/{ticket_id}/close"): "ADS",
        ("POST", "/tickets/{ticket_id}/entitlement"): "ADST",
        ("GET", "/tickets/{ticket_id}/events"): "ADIST",
        ("POST", "/tickets/{ticket_id}/notes"): "ADST",
        ("POST", "/tickets/{ticket_id}/quote-decision"): "ADS",
        ("POST", "/tickets/{ticket_id}/reopen"): "ADS",
        ("POST", "/tickets/{ticket_id}/resolve"): "ADST",
        ("POST", "/tickets/{ticket_id}/resume"): "ADST",
        ("POST", "/tickets/{ticket_id}/satisfaction"): "ADS",
    },
    "dispatch": {
        ("POST", "/admin/api-keys"): "A",
        ("DELETE", "/admin/api-keys/{key_id}"): "A",
        ("GET", "/jobs"): "ADST",
        ("GET", "/jobs/{ticket_id}"): "ADST",
        ("POST", "/jobs/{ticket_id}/acknowledge"): "T",
        ("POST", "/jobs/{ticket_id}/arrive"): "T",
        ("POST", "/jobs/{ticket_id}/assign"): "DS",
        ("POST", "/jobs/{ticket_id}/depart"): "T",
        ("POST", "/jobs/{ticket_id}/diagnosis"): "T",
        ("POST", "/jobs/{ticket_id}/on-site-required"): "T",
        ("POST", "/jobs/{ticket_id}/parts"): "T",
        ("POST", "/jobs/{ticket_id}/remote-session"): "T",
        ("POST", "/jobs/{ticket_id}/remote-session/end"): "T",
        ("POST", "/jobs/{ticket_id}/resolve"): "T",
        ("POST", "/maintenance/schedules"): "AD",
        ("GET", "/maintenance/visits"): "ADS",
        ("POST", "/maintenance/visits/{visit_id}/complete"): "T",
        ("GET", "/roster"): "ADS",
        ("PUT", "/roster"): "A",
        ("GET", "/technicians"): "ADS",
        ("POST", "/technicians"): "A",
        ("PUT", "/technicians/{technician_id}"): "A",
        ("POST", "/technicians/{technician_id}/status"): "ADS",
    },
    "sla-monitor": {
        ("POST", "/admin/api-keys"): "A",
        ("DELETE", "/admin/api-keys/{key_id}"): "A",
        ("GET", "/calendars"): "ADS",
        ("DELETE", "/calendars/{calendar_id}"): "A",
        ("GET", "/calendars/{calendar_id}"): "ADS",
        ("PUT", "/calendars/{calendar_id}"): "A",
        ("GET", "/policies"): "ADS",
        ("DELETE", "/policies/{policy_id}"): "A",
        ("GET", "/policies/{policy_id}"): "ADS",
        ("PUT", "/policies/{policy_id}"): "A",
        ("GET", "/tickets/{ticket_id}/sla"): "ADS",
        ("POST", "/what-if"): "AS",
    },
    "inventory": {
        ("POST", "/admin/api-keys"): "A",
        ("DELETE", "/admin/api-keys/{key_id}"): "A",
    },
    "notify": {
        ("POST", "/admin/api-keys"): "A",
        ("DELETE", "/admin/api-keys/{key_id}"): "A",
    },
}
APPS = {
    "intake": (intake_app, IntakeSettings),
    "dispatch": (dispatch_app, DispatchSettings),
    "sla-monitor": (sla_app, SlaSettings),
    "inventory": (inventory_app, InventorySettings),
    "notify": (notify_app, NotifySettings),
}


def allowed(letters: str) -> set[str]:
    return {ROLES[letter] for letter in letters}


@pytest.mark.parametrize("service", sorted(APPS))
def test_the_rules_in_the_code_are_the_table(service):
    create_app, _ = APPS[service]
    in_code = {endpoint: set(roles) for endpoint, roles in route_rules(create_app()).items()}
    assert in_code == {endpoint: allowed(letters) for endpoint, letters in TABLE[service].items()}


async def _writes(database_url: str) -> tuple:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            return tuple(
                [
                    (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
                    for table in ("events", "outbox", "idempotency_keys", "api_keys")
                ]
            )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("service", sorted(APPS))
async def test_every_endpoint_refuses_no_token_and_wrong_roles(
    service, database_url, bootstrap_servers, topic_prefix, tmp_path
):
    create_app, settings_cls = APPS[service]
    tokens = Tokens(tmp_path / "dev.pem")
    settings = service_settings(
        settings_cls,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=tmp_path / "dev.pem",
        rate_limit_per_minute=100_000,
        consumers_enabled=False,
    )
    async with running_service(create_app, settings) as client:
        before = await _writes(database_url)
        for (method, path), letters in TABLE[service].items():
            url = path.replace("{", "").replace("}", "")  # every path parameter becomes its own name
            body = {} if method in ("POST", "PUT") else None
            anonymous = await client.request(method, url, json=body)
            assert anonymous.status_code == 401, (method, path)
            for role in set(ROLES.values()) - allowed(letters):
                refused = await client.request(method, url, json=body, headers=tokens(role))
                assert refused.status_code == 403, (method, path, role)
                assert refused.headers["content-type"] == "application/problem+json"
        assert await _writes(database_url) == before
