import pytest
from dispatch.config import Settings
from dispatch.entrypoints.app import create_app

from shared.testing.services import running_service, service_settings


@pytest.fixture
async def dispatch(database_url, bootstrap_servers, topic_prefix, dev_key_file):
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=dev_key_file,
    )
    async with running_service(create_app, settings) as client:
        yield client
