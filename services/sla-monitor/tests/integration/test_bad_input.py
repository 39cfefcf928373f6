"""Inputs PostgreSQL or the calendar arithmetic cannot take are refused as problems naming the field,
never answered with a 500 (a fuzzing run found NUL characters and overlong durations)."""

import pytest

WEEKS = {"P1": {"response": {"duration": "P99999999999999W"}}}


@pytest.mark.parametrize(
    ("method", "url", "body", "field"),
    [
        ("GET", "/policies/a%00b", None, "policy_id"),
        ("DELETE", "/calendars/a%00b", None, "calendar_id"),
        ("GET", "/tickets/a%00b/sla", None, "ticket_id"),
        ("PUT", "/policies/x", {"policy_id": "x", "name": "a\u0000b", "targets": {}}, "name"),
        (
            "PUT",
            "/policies/x",
            {"policy_id": "x", "name": "n", "description": "\u0000", "targets": {}},
            "description",
        ),
        (
            "PUT",
            "/policies/x",
            {"policy_id": "x", "name": "n", "targets": WEEKS},
            "targets.P1.response.duration",
        ),
        ("PUT", "/calendars/x", {"calendar_id": "x", "timezone": "Asia/\u0000"}, "timezone"),
        (
            "POST",
            "/what-if",
            {
                "from": "2026-01-01T00:00:00Z",
                "to": "2026-01-02T00:00:00Z",
                "policy": {"policy_id": "y", "name": "n", "targets": WEEKS},
            },
            "policy.targets.P1.response.duration",
        ),
    ],
)
async def test_unstorable_input_is_a_problem_naming_the_field(sla, admin, method, url, body, field):
    answer = await sla.request(method, url, json=body, headers=admin)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["field"] == field


async def test_ids_without_nul_still_answer_404(sla, admin):
    assert (await sla.get("/policies/no-such", headers=admin)).status_code == 404
    assert (await sla.delete("/calendars/no-such", headers=admin)).status_code == 404
    assert (await sla.get("/tickets/no-such/sla", headers=admin)).status_code == 404
