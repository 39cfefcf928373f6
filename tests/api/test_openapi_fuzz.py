"""Every service fuzzed from its own OpenAPI document (schemathesis), as a real process on the real
broker and PostgreSQL: no input reaches a server error, and every response matches what the document
declares (bodies, and problem details for every 4xx).

The token carries every role, so the checks reach the handlers instead of stopping at 403. Examples per
operation: `SERVICEPACT_FUZZ_EXAMPLES` (default 25; CI keeps the default, a deeper local run sets more).
"""

from __future__ import annotations

import asyncio
import os
import traceback
import uuid

import asyncpg
import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.services import SERVICES
from shared.testing.processes import ServiceProcess
from shared.testing.services import Tokens

EXAMPLES = int(os.environ.get("SERVICEPACT_FUZZ_EXAMPLES", "25"))
ALL_ROLES = ("ops-admin", "dispatcher", "supervisor", "integration", "inventory-clerk", "technician")
CHECKS = [not_a_server_error, response_schema_conformance]


def _create_database(admin_url: str) -> str:
    name = f"fuzz_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        admin = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()

    asyncio.run(create())
    return name


@pytest.mark.slow
@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_no_input_reaches_a_server_error_and_every_response_matches_its_schema(service, infra, tmp_path):
    key_file = tmp_path / "dev.pem"
    headers = Tokens(key_file)(*ALL_ROLES, sub="fuzzer", region="Shanghai")
    process = ServiceProcess(
        service.name,
        database_url=infra.database_url(_create_database(infra.admin_url)),
        bootstrap_servers=infra.bootstrap_servers,
        topic_prefix=f"fz{uuid.uuid4().hex[:8]}.",
        key_file=key_file,
        log_path=tmp_path / f"{service.name}.log",
    ).start()
    try:
        document = httpx.get(f"{process.url}/openapi.json", timeout=10).json()
        schema = schemathesis.openapi.from_dict(document)
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1

            @given(case=operation.as_strategy())
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def exercise(case) -> None:
                response = case.call(base_url=process.url, headers=headers, timeout=30)
                case.validate_response(response, checks=CHECKS)

            try:
                exercise()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report all
                failures.append(
                    f"{operation.method.upper()} {operation.path}: "
                    + "".join(traceback.format_exception_only(exc)).strip()[:1500]
                )
        assert operations > 0
        assert failures == [], "\n\n".join(failures)
    finally:
        process.stop()
