"""Schemathesis against the SLA monitor's own OpenAPI (as an ops admin): no request reaches a server
error, every success matches its declared response schema, every refusal is problem+json.

Hypothesis drives the generated cases from a worker thread; each request runs on the test's event
loop, where the service (and its database engine) lives."""

import asyncio

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

# schemathesis' own strategies use `random` (hypothesis deprecates it; nothing of ours to change)
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
EXAMPLES = 30
SKIPPED = ("/admin", "/metrics")  # shared API-key administration: not this service's to fuzz


async def test_generated_requests_get_no_server_error_and_match_the_schema(sla, admin):
    schema = schemathesis.openapi.from_dict((await sla.get("/openapi.json")).json())
    loop = asyncio.get_running_loop()
    failures: list[tuple[str, str, str]] = []

    def send(case) -> None:
        sent = case.as_transport_kwargs(base_url="http://testserver", headers=admin)
        request = {k: sent[k] for k in ("method", "url", "headers", "params", "json", "content") if k in sent}
        response = asyncio.run_coroutine_threadsafe(sla.request(**request), loop).result()
        where = f"{case.method} {case.formatted_path}"
        if response.status_code >= 500:
            failures.append((where, str(sent.get("json")), response.text[:300]))
        elif response.status_code >= 400:
            if response.headers.get("content-type") != "application/problem+json":
                failures.append((where, "not problem+json", response.text[:300]))
        else:
            try:
                case.validate_response(response, checks=[response_schema_conformance])
            except Exception as exc:  # noqa: BLE001 - collected, reported together below
                failures.append((where, "response breaks its schema", str(exc)[:300]))

    def fuzz(operation) -> None:
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        @given(case=operation.as_strategy())
        def each(case) -> None:
            send(case)

        each()

    operations = [result.ok() for result in schema.get_all_operations()]
    fuzzed = [op for op in operations if not op.path.startswith(SKIPPED)]
    assert {op.path for op in fuzzed} >= {"/policies/{policy_id}", "/tickets/{ticket_id}/sla", "/what-if"}
    for operation in fuzzed:
        await asyncio.to_thread(fuzz, operation)
    assert failures == []
