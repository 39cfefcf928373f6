"""OpenAPI that tells the truth about errors: every 4xx is an RFC 9457 problem (application/problem+json).

FastAPI documents a 422 with its own `HTTPValidationError` body as `application/json`; ServicePact
answers every refusal with a problem instead (shared.http.problems). This rewrites the document once:
the 422 and a `4XX` range on every operation point to the `Problem` schema, so clients (and the
schemathesis run in the test suite) can check the error bodies too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `field` names the input that is wrong, where one is.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": ["string", "null"]},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}
_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def install_problem_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(title=app.title, version=app.version, routes=app.routes)
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = PROBLEM_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        for path in document.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                if "422" in responses:
                    responses["422"] = {
                        "description": "Invalid request (names the field)",
                        "content": _PROBLEM,
                    }
                responses.setdefault("4XX", {"description": "Refused (problem details)", "content": _PROBLEM})
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
