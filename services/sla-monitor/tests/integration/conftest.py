import pytest
from sla_monitor.config import Settings
from sla_monitor.entrypoints.app import create_app

from shared.testing.services import running_service, service_settings


@pytest.fixture
async def sla(database_url, bootstrap_servers, topic_prefix, dev_key_file):
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=dev_key_file,
    )
    async with running_service(create_app, settings) as client:
        yield client


@pytest.fixture
def admin(tokens):
    return tokens("ops-admin", sub="olga")
