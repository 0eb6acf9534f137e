"""CHINWAG_SENTRY_DSN: an unhandled exception reaches the error tracker (a local HTTP server
standing in for Sentry, speaking its envelope protocol) with its type and route, and without
any token, cookie or password of the request."""

from __future__ import annotations

import gc
import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
import sentry_sdk

BEARER = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2VjcmV0LWJlYXJlcg"
QUERY_TOKEN = "query-token-SECRET-1"
REFRESH = "refresh-cookie-SECRET-2"
PASSWORD = "password-SECRET-3"
SECRETS = (BEARER, QUERY_TOKEN, REFRESH, PASSWORD, "c2VjcmV0LWJlYXJlcg")


class Inbox:
    """What the stand-in received: each envelope's text, and an event per arrival."""

    def __init__(self) -> None:
        self.envelopes: list[str] = []
        self.arrived = threading.Event()

    def handler(self):
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's hook name
                body = self.rfile.read(int(self.headers["content-length"]))
                encoding = self.headers.get("content-encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "deflate":
                    body = zlib.decompress(body)
                inbox.envelopes.append(body.decode())
                inbox.arrived.set()
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args) -> None:  # quiet
                pass

        return Handler


@pytest.fixture
def sentry():
    inbox = Inbox()
    server = ThreadingHTTPServer(("127.0.0.1", 0), inbox.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    inbox.dsn = f"http://publickey@127.0.0.1:{server.server_address[1]}/1"
    yield inbox
    # This process is as if sentry-sdk had never started: init(dsn=None) would leave a client
    # whose integrations still read request bodies (with their default size limit).
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)
    server.shutdown()
    server.server_close()


@pytest.fixture
def settings_overrides(sentry) -> dict:
    return {"sentry_dsn": sentry.dsn}


def event_items(envelope: str) -> list[dict]:
    """The envelope's items of type `event` (header line, then item header + payload pairs)."""
    lines = envelope.split("\n")
    items = []
    for header, payload in zip(lines[1::2], lines[2::2], strict=False):
        if json.loads(header).get("type") == "event":
            items.append(json.loads(payload))
    return items


async def test_an_unhandled_exception_is_reported_without_secrets(app, sentry):
    async def explode(request_body: dict) -> None:
        raise RuntimeError(f"the chat store broke (Bearer {BEARER})")

    app.add_api_route("/api/explode", explode, methods=["POST"])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post(
            f"/api/explode?token={QUERY_TOKEN}",
            headers={"Authorization": f"Bearer {BEARER}", "Cookie": f"chinwag_refresh={REFRESH}"},
            json={"login": "ana", "password": PASSWORD},
        )
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)
    assert sentry.arrived.wait(10), "nothing reached the stand-in for Sentry"
    sent = "\n".join(sentry.envelopes)
    events = [e for envelope in sentry.envelopes for e in event_items(envelope)]
    assert any(v["type"] == "RuntimeError" for e in events for v in e["exception"]["values"]), sent[
        :2000
    ]
    assert any("/api/explode" in e.get("request", {}).get("url", "") for e in events)
    for secret in SECRETS:
        assert secret not in sent, secret


async def test_uploads_are_not_read_for_the_tracker(app, sentry, client, ana):
    # Request bodies are never sent: the integration must not parse an upload's form (it
    # would leave its temporary file open, a ResourceWarning the suite turns into an error).
    uploaded = await client.post(
        "/api/files", headers=ana.headers, files={"file": ("notes.txt", b"0123456789")}
    )
    assert uploaded.status_code == 201, uploaded.text
    gc.collect()
