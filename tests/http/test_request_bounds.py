"""Every request body's largest valid value fits under the service's body limit.

The body limit (413, naming the limit) guards the process; each field's own maximum (422, naming the
field) guards the data. If a valid body could be larger than the limit, an over-long field would be
refused as "too large" with no field named, and a legitimate large document could not be sent at all.
So for every service of the registry, every operation of its own OpenAPI document (built in-process,
without starting the runtime) and every schema a request body reaches (`$ref`, `anyOf`, `allOf`,
arrays, nested objects, maps) must be bounded, and the worst case must fit the limit.

How the worst case is counted is `tests/http/worst_case.py`'s docstring: in short a string character
counts 6 bytes, because JSON may (and for a control character must) write it as `\\uXXXX`.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from fastapi import FastAPI

from shared.services import SERVICES, Service, importable
from tests.http.worst_case import STRING_CHAR_BYTES, Bound, WorstCase


def build(service: Service) -> FastAPI:
    importable()
    module, factory = service.app_factory.split(":")
    app = getattr(importlib.import_module(module), factory)()
    assert isinstance(app, FastAPI)
    return app


def request_bodies(document: dict[str, Any]) -> dict[str, Bound]:
    """`METHOD /path (content type)` -> the worst case of that request body."""
    walker = WorstCase(document)
    found = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                found[f"{method.upper()} {path} ({media})"] = walker.of(content.get("schema", {}))
    return found


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_every_request_body_is_bounded_and_fits_the_body_limit(service: Service) -> None:
    app = build(service)
    limits = app.state.body_limits
    bodies = request_bodies(app.openapi())
    unbounded = [f"{operation}: {problem}" for operation, b in bodies.items() for problem in b.unbounded]
    assert unbounded == [], "unbounded request fields:\n" + "\n".join(unbounded)
    too_large = {
        operation: (b.size, limit)
        for operation, b in bodies.items()
        if b.size > (limit := limits.limit_for(*operation.split(" ")[:2]))
    }
    assert too_large == {}, f"worst cases over their body limits (size, limit): {too_large}"


def test_the_walker_names_every_unbounded_path() -> None:
    document = {
        "components": {
            "schemas": {
                "Part": {"type": "object", "properties": {"number": {"type": "string"}}},
                "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}},
            }
        }
    }
    schema = {
        "type": "object",
        "properties": {
            "parts": {"type": "array", "maxItems": 3, "items": {"$ref": "#/components/schemas/Part"}},
            "regions": {"type": "array", "items": {"type": "string", "maxLength": 5}},
            "hours": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 5}},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "extra": {"type": "object", "additionalProperties": True},
            "tree": {"$ref": "#/components/schemas/Node"},
        },
    }
    assert WorstCase(document).of(schema).unbounded == (
        "$.parts[*].number: a string without maxLength",
        "$.regions: an array without maxItems",
        "$.hours: a map without maxProperties",
        "$.hours: a map whose keys have no maxLength (propertyNames)",
        "$.note: a string without maxLength",
        "$.extra: a map without maxProperties",
        "$.extra: a map whose keys have no maxLength (propertyNames)",
        "$.extra.*: accepts any JSON value",
        "$.tree.child: recursive (#/components/schemas/Node)",
    )


def test_the_walker_counts_the_worst_case() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "tags": {"type": "array", "maxItems": 2, "items": {"type": "string", "maxLength": 3}},
            "hours": {
                "type": "object",
                "maxProperties": 2,
                "propertyNames": {"maxLength": 1},
                "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 100},
            },
            "targets": {
                "type": "object",
                "maxProperties": 4,
                "propertyNames": {"maxLength": 2},
                "patternProperties": {"^P[1-4]$": {"type": "boolean"}},
            },
            "week": {"type": "object", "propertyNames": {"enum": ["0", "1"]}, "additionalProperties": {}},
            "level": {"enum": ["P1", "P10"]},
            "note": {"anyOf": [{"type": "string", "maxLength": 4}, {"type": "null"}]},
        },
    }
    assert WorstCase({}).of(schema).unbounded == ("$.week.*: accepts any JSON value",)
    schema["properties"]["week"]["additionalProperties"] = {"type": "null"}
    string = lambda chars: 2 + STRING_CHAR_BYTES * chars  # noqa: E731
    tags = 2 + 2 * (string(3) + 2)
    hours = 2 + 2 * (string(1) + 4 + 3)
    targets = 2 + 4 * (string(2) + 4 + len("false"))
    week = 2 + 2 * (len('"0"') + 4 + len("null"))  # keys named by the schema count as written
    expected = 2 + sum(len(f'"{name}"') + 4 for name in ("tags", "hours", "targets", "week", "level", "note"))
    expected += tags + hours + targets + week + len('"P10"') + string(4)
    assert WorstCase({}).of(schema) == Bound(expected)
