"""The request body size limit, applied before a route reads anything."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """Raised while a body is read, past the limit; answered as 413 naming field ``body``."""

    field = "body"

    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than the service's limit of {limit} bytes")


class BodyLimit:
    """Refuse a body over ``max_bytes``: at once when its Content-Length says so, else when the
    bytes read pass the limit (a chunked upload), before the route sees more of it."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            error = BodyTooLarge(self.max_bytes)
            body = json.dumps({"error": error.detail, "field": error.field}).encode()
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"), (b"connection", b"close"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        received = 0

        async def limited() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited, send)
