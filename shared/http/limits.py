"""Request body size limit (pure ASGI, so chunked bodies without Content-Length are counted too).

One limit for the service (`max_bytes`), and a larger one only for the few operations whose documents
honestly need it (`larger`, keyed "METHOD /path", e.g. dispatch's whole-roster `PUT /roster`), so one
big document does not raise the limit of every other endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import PROBLEM_JSON


class _TooLarge(Exception):
    pass


@dataclass(frozen=True)
class BodyLimits:
    """The service's body limit, and the larger ones of named operations ("METHOD /path")."""

    default: int
    larger: Mapping[str, int] = field(default_factory=dict)

    def limit_for(self, method: str, path: str) -> int:
        return self.larger.get(f"{method.upper()} {path}", self.default)


class BodySizeLimit:
    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.limit_for(scope.get("method", ""), scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send, limit)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        body = json.dumps(
            {
                "type": "/problems/payload-too-large",
                "title": "Request body too large",
                "status": 413,
                "detail": f"the request body is larger than the limit of {limit} bytes",
                "instance": scope.get("path"),
                "max_bytes": limit,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
