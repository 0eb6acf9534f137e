"""A cap on request bodies (JSON, forms): refused with 413 in the error shape before they are
read into memory. Uploads (/api/files) stream under their own, larger limit."""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chinwag.errors import TooLarge, error_body
from chinwag.files.service import human_size

STREAMED = ("/api/files",)  # checked by the upload itself, while it streams to disk


class BodyLimitMiddleware:
    """Answers 413 from Content-Length alone when it says too much; otherwise counts the
    body as it arrives and stops reading it at the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(STREAMED):
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await self._refuse(send)
        await self.app(scope, self._counting(receive), send)

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # An HTTPException, as FastAPI passes those through its body parsing
                    # (anything else there becomes a 400); rendered as too_large.
                    raise HTTPException(413, self._message())
            return message

        return counted

    def _message(self) -> str:
        return f"request bodies are limited to {human_size(self.max_bytes)}"

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(error_body(TooLarge.code, self._message())).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
