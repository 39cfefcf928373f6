"""The HTTP edge refuses what PostgreSQL would choke on, naming the field; sizes name their limit."""

from __future__ import annotations

import httpx
from fastapi import Depends, FastAPI
from pydantic import BaseModel

from shared.http.limits import BodyLimits, BodySizeLimit
from shared.http.problems import install_problem_handlers
from shared.http.text_guard import RefuseNul, nul_location, refuse_nul_in_path


class Caller(BaseModel):
    name: str


class Body(BaseModel):
    description: str
    caller: Caller
    tags: list[str] = []


def app() -> FastAPI:
    application = FastAPI(dependencies=[Depends(refuse_nul_in_path)])
    install_problem_handlers(application)
    application.add_middleware(RefuseNul)
    application.add_middleware(BodySizeLimit, limits=BodyLimits(1000, {"POST /things/big": 5000}))

    @application.post("/things/{thing_id}")
    async def create(thing_id: str, body: Body, q: str = "") -> dict:
        return {"thing_id": thing_id, "description": body.description, "q": q}

    return application


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app()), base_url="http://test")


def test_nul_location_names_the_path_of_the_string():
    assert nul_location({"a": [{"b": "x"}, {"b": "y\x00"}]}) == ("a", "1", "b")
    assert nul_location({"a": "fine", "b": ["ok"]}) is None


async def test_nul_in_a_nested_json_field_is_a_422_naming_it():
    async with client() as http:
        response = await http.post(
            "/things/1", json={"description": "ok", "caller": {"name": "Wang\x00"}, "tags": []}
        )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "caller.name"


async def test_nul_in_the_path_or_query_is_a_422():
    async with client() as http:
        in_path = await http.post("/things/a%00b", json={"description": "d", "caller": {"name": "n"}})
        in_query = await http.post("/things/1?q=x%00", json={"description": "d", "caller": {"name": "n"}})
    assert in_path.status_code == 422 and in_path.json()["field"] == "thing_id"
    assert in_query.status_code == 422 and in_query.json()["field"] == "q"


async def test_clean_bodies_pass_through_unchanged_even_in_chunks():
    async def chunks():
        yield b'{"description": "\\u4e0a\\u6d77 \\\\u0000 is text", '
        yield b'"caller": {"name": "n"}}'

    async with client() as http:
        response = await http.post(
            "/things/1", content=chunks(), headers={"content-type": "application/json"}
        )
    assert response.status_code == 200, response.text
    assert response.json()["description"] == "上海 \\u0000 is text"


async def test_a_body_over_the_limit_is_a_413_naming_the_limit():
    async with client() as http:
        response = await http.post("/things/1", json={"description": "x" * 2000, "caller": {"name": "n"}})
    assert response.status_code == 413
    assert response.json()["max_bytes"] == 1000 and "1000 bytes" in response.json()["detail"]


async def test_a_named_operation_has_its_own_larger_limit_and_only_it():
    body = {"description": "x" * 2000, "caller": {"name": "n"}}
    async with client() as http:
        big = await http.post("/things/big", json=body)
        other = await http.post("/things/small", json=body)
        too_big = await http.post("/things/big", json={**body, "description": "x" * 6000})
    assert big.status_code == 200, big.text
    assert other.status_code == 413 and other.json()["max_bytes"] == 1000
    assert too_big.status_code == 413 and too_big.json()["max_bytes"] == 5000
