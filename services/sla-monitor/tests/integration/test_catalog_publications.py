"""The SLA monitor publishes its policies and calendars (seeded at start, saved later) on the SLA topic,
so that intake can refuse contracts and tickets naming one that does not exist (issue 12)."""

from shared.testing.waiting import envelopes, read_topic, wait_until


async def test_seeded_and_saved_policies_and_calendars_are_published(
    sla, admin, bootstrap_servers, topic_prefix
):
    topic = f"{topic_prefix}servicepact.sla.v1"
    policy = {"policy_id": "gold", "name": "Gold", "targets": {"P1": {"response": {"duration": "PT5M"}}}}
    assert (await sla.put("/policies/gold", json=policy, headers=admin)).status_code == 201

    async def published():
        events = envelopes(await read_topic(bootstrap_servers, topic, expected=1, timeout_s=2))
        policies = {
            (e.subject, e.data["policy_id"], e.data["name"]) for e in events if e.type == "PolicyPublished"
        }
        calendars = {e.data["calendar_id"] for e in events if e.type == "CalendarPublished"}
        return (policies, calendars) if ("gold", "gold", "Gold") in policies else None

    policies, calendars = await wait_until(published, timeout_s=20)
    assert {"default", "seed-003"} <= {policy_id for _, policy_id, _ in policies}
    assert "7x24" in calendars
