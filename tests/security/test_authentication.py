"""Authentication and abuse limits on a real service (intake) with a real database and broker."""

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from intake.config import Settings
from intake.entrypoints.app import create_app

from shared.auth.dev_issuer import DEV_ISSUER, mint
from shared.testing.services import Tokens, running_service, service_settings


@pytest.fixture
def key_file(tmp_path):
    return tmp_path / "dev.pem"


@pytest.fixture
async def intake(database_url, bootstrap_servers, topic_prefix, key_file):
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=key_file,
        rate_limit_per_minute=600,
    )
    async with running_service(create_app, settings) as client:
        yield client


ADMIN_ENDPOINT = ("post", "/admin/api-keys", {"client_id": "gw", "roles": ["integration"]})


async def _call(client, headers):
    method, path, body = ADMIN_ENDPOINT
    return await getattr(client, method)(path, json=body, headers=headers)


async def test_missing_token_is_401_problem(intake):
    response = await _call(intake, {})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_expired_token_is_401(intake, key_file):
    token = mint(Tokens(key_file).key, subject="a", roles=["ops-admin"], ttl_s=-10)
    assert (await _call(intake, {"Authorization": f"Bearer {token}"})).status_code == 401


async def test_wrongly_signed_token_is_401(intake):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = mint(other, subject="a", roles=["ops-admin"])
    assert (await _call(intake, {"Authorization": f"Bearer {token}"})).status_code == 401


async def test_wrong_audience_is_401(intake, key_file):
    token = mint(Tokens(key_file).key, subject="a", roles=["ops-admin"], audience="someone-else")
    assert (await _call(intake, {"Authorization": f"Bearer {token}"})).status_code == 401


async def test_hs256_token_with_the_public_key_as_secret_is_refused(intake, key_file):
    """Algorithm confusion: only RS256/ES256 are accepted."""
    now = int(time.time())
    token = jwt.encode(
        {"iss": DEV_ISSUER, "aud": "servicepact", "sub": "a", "exp": now + 60, "roles": ["ops-admin"]},
        "not-the-key",
        algorithm="HS256",
    )
    assert (await _call(intake, {"Authorization": f"Bearer {token}"})).status_code == 401


async def test_wrong_role_is_403_and_right_role_passes(intake, key_file):
    tokens = Tokens(key_file)
    assert (await _call(intake, tokens("dispatcher"))).status_code == 403
    response = await _call(intake, tokens("ops-admin"))
    assert response.status_code == 201, response.text


async def test_api_key_works_until_revoked(intake, key_file):
    tokens = Tokens(key_file)
    issued = (
        await intake.post(
            "/admin/api-keys", json={"client_id": "gw-1", "roles": ["ops-admin"]}, headers=tokens("ops-admin")
        )
    ).json()
    key_headers = {"X-API-Key": issued["api_key"]}
    assert (await _call(intake, key_headers)).status_code == 201
    revoke = await intake.delete(f"/admin/api-keys/{issued['key_id']}", headers=tokens("ops-admin"))
    assert revoke.status_code == 204
    assert (await _call(intake, key_headers)).status_code == 401
    tampered = issued["api_key"][:-2] + "xx"
    assert (await _call(intake, {"X-API-Key": tampered})).status_code == 401


async def test_rate_limit_answers_429_with_retry_after(
    database_url, bootstrap_servers, topic_prefix, key_file
):
    settings = service_settings(
        Settings,
        database_url=database_url,
        bootstrap_servers=bootstrap_servers,
        topic_prefix=topic_prefix,
        key_file=key_file,
        rate_limit_per_minute=3,
    )
    async with running_service(create_app, settings) as client:
        headers = Tokens(key_file)("dispatcher", sub="greedy")
        statuses = [(await _call(client, headers)).status_code for _ in range(4)]
        assert statuses == [403, 403, 403, 429]
        limited = await _call(client, headers)
        assert int(limited.headers["retry-after"]) >= 1
        # another client is not affected
        assert (await _call(client, Tokens(key_file)("dispatcher", sub="other"))).status_code == 403


async def test_oversized_body_is_413_problem(intake, key_file):
    limit = intake.app.state.runtime.settings.max_body_bytes
    body = {"client_id": "x" * (limit + 1), "roles": ["integration"]}
    response = await intake.post("/admin/api-keys", json=body, headers=Tokens(key_file)("ops-admin"))
    assert response.status_code == 413
    assert response.json()["status"] == 413 and response.json()["max_bytes"] == limit
