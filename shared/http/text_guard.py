"""PostgreSQL text cannot hold the NUL character: refuse it at the edge, naming the field.

Without this, a NUL anywhere in a string (a JSON body's `\\u0000`, a `%00` in the path or query) reaches
the database and comes back as a server error. Bodies and query strings are checked by the `RefuseNul`
middleware, path parameters by the app-wide dependency `refuse_nul_in_path`. JSON can only carry NUL
as the escape `\\u0000`, so the body is searched for that escape first and parsed only when it is there
(the common path costs one bytes search).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import PROBLEM_JSON

_ESCAPED_NUL = b"\\u0000"


def nul_location(value: Any, path: tuple[str, ...] = ()) -> tuple[str, ...] | None:
    """Where in a decoded JSON value a string (or a key) holds NUL; None if nowhere."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return (*path, key)
            found = nul_location(item, (*path, key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_location(item, (*path, str(index)))
            if found is not None:
                return found
    return None


class RefuseNul:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        field, where = self._in_url(scope)
        if field is not None:
            await _refuse(scope, send, field, where)
            return
        if scope.get("method") not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        messages: list[Message] = []
        while more:  # the body is already bounded by BodySizeLimit
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if _ESCAPED_NUL in body:
            try:
                found = nul_location(json.loads(body))
            except ValueError:
                found = None  # not JSON: the route's own validation answers
            if found is not None:
                await _refuse(scope, send, ".".join(found) or "body", "body")
                return
        replay: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
        replay += [m for m in messages if m["type"] != "http.request"]

        async def replayed() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed, send)

    @staticmethod
    def _in_url(scope: Scope) -> tuple[str | None, str]:
        query = scope.get("query_string", b"")
        if b"%00" in query or b"\x00" in query:
            for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
                if "\x00" in name or "\x00" in value:
                    return name.replace("\x00", "") or "query", "query"
        return None, ""


async def refuse_nul_in_path(request: Request) -> None:
    """App-wide dependency: a path parameter holding NUL is a 422 naming that parameter (routing has
    named them by now, which the middleware cannot)."""
    for name, value in request.path_params.items():
        if "\x00" in str(value):
            raise RequestValidationError(
                [{"loc": ("path", name), "msg": "the NUL character is not allowed", "type": "value_error"}]
            )


async def _refuse(scope: Scope, send: Send, field: str, where: str) -> None:
    body = json.dumps(
        {
            "type": "/problems/validation",
            "title": "Invalid request",
            "status": 422,
            "detail": f"{field}: the NUL character is not allowed in text",
            "instance": scope.get("path", "").replace("\x00", ""),
            "field": field,
            "errors": [{"field": field, "message": "the NUL character is not allowed", "in": where}],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
