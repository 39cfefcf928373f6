from datetime import UTC, datetime

import pytest
from intake.config import Settings
from intake.entrypoints.app import create_app

from shared.testing.services import running_service, service_settings
from shared.testing.waiting import publish, wait_until


@pytest.fixture
async def intake(database_url, bootstrap_servers, topic_prefix, dev_key_file):
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=dev_key_file,
        rate_limit_per_minute=100_000,
    )
    async with running_service(create_app, settings) as client:
        yield client


@pytest.fixture
def admin(tokens):
    return tokens("ops-admin", sub="olga")


@pytest.fixture
def dispatcher(tokens):
    return tokens("dispatcher", sub="dora")


@pytest.fixture
def gateway(tokens):
    return tokens("integration", sub="hotline-gw")


@pytest.fixture
def complaint_desk(tokens):
    return tokens("complaint-desk", sub="kim")


async def publish_policy(bootstrap_servers, topic_prefix, policy_id):
    """What the SLA monitor does when a policy is saved or seeded: PolicyPublished on the SLA topic."""
    await publish(
        bootstrap_servers,
        f"{topic_prefix}servicepact.sla.v1",
        type_="PolicyPublished",
        subject=policy_id,
        source="/sla-monitor",
        data={"policy_id": policy_id, "name": policy_id, "occurred_at": datetime.now(UTC).isoformat()},
    )


async def saved_once_known(intake, path, body, headers):
    """Save an archive row naming a policy, retrying while intake has not read its publication yet."""

    async def saved():
        response = await intake.post(path, json=body, headers=headers)
        assert response.status_code in (201, 422), response.text
        return response if response.status_code == 201 else None

    return (await wait_until(saved)).json()["id"]


@pytest.fixture
async def customer(intake, admin, bootstrap_servers, topic_prefix):
    """A customer with a contact, a site, a contract (its policy published by the SLA monitor) and one
    unit under warranty."""

    async def post(path, body):
        response = await intake.post(path, json=body, headers=admin)
        assert response.status_code == 201, response.text
        return response.json()["id"]

    company = await post("/customers", {"name": "上海明珠电梯有限公司"})
    contact = await post(
        f"/customers/{company}/contacts", {"name": "王经理", "phone": "+86 138-0013-8000", "is_main": True}
    )
    site = await post(
        f"/customers/{company}/sites",
        {"address": "浦东大道 1 号", "city": "Shanghai", "region": "SH", "region_class": "city"},
    )
    await publish_policy(bootstrap_servers, topic_prefix, "seed-003")
    contract = await saved_once_known(
        intake,
        f"/customers/{company}/contracts",
        {
            "policy_id": "seed-003",
            "calendar_id": "7x24",
            "on_site_regions": ["SH"],
            "starts_on": "2024-01-01",
            "account_engineer_id": "tech-1",
            "sales_rep_id": "sales-9",
        },
        admin,
    )
    unit = await post(
        f"/customers/{company}/units",
        {
            "site_id": site,
            "contract_id": contract,
            "model": "EL-3000",
            "serial_number": "SN-0001",
            "product_line": "elevator",
            "accepted_on": "2025-06-01",
            "warranty_months": 24,
        },
    )
    old_unit = await post(
        f"/customers/{company}/units",
        {
            "site_id": site,
            "contract_id": contract,
            "model": "EL-1000",
            "serial_number": "SN-OLD",
            "product_line": "elevator",
            "accepted_on": "2019-01-01",
            "warranty_months": 12,
        },
    )
    return {
        "company": company,
        "contact": contact,
        "site": site,
        "contract": contract,
        "unit": unit,
        "old_unit": old_unit,
    }
