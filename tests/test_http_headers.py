"""The headers every answer carries: nosniff, no referrer, framing refused, the page CSP (the
docs pages included), HSTS when chinwag is served over https, `no-store` on the API's private
JSON, and all of them on a 500 that no route handler answered."""

from __future__ import annotations

import re

import httpx
import pytest

from chinwag.app import create_app
from chinwag.httpheaders import CSP

PAGES = ["/", "/static/app/js/main.js", "/openapi.json", "/healthz", "/api/nope"]
DOCS = ["/docs", "/swagger", "/redoc"]


async def test_every_answer_refuses_framing_and_sniffing(client, ana):
    for path in [*PAGES, *DOCS, "/api/users/me"]:
        response = await client.get(path, headers=ana.headers)
        assert response.headers.get_list("x-frame-options") == ["DENY"], path
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["referrer-policy"] == "no-referrer", path


async def test_docs_pages_keep_the_page_policy(client):
    for path in ["/docs", "/swagger"]:
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.headers.get_list("content-security-policy") == [CSP], path


async def test_redoc_may_only_add_its_own_styles_and_search_worker(client):
    first, second = await client.get("/redoc"), await client.get("/redoc")
    policies = [r.headers.get_list("content-security-policy") for r in (first, second)]
    assert all(len(p) == 1 and p[0].startswith(CSP + "; ") for p in policies)
    added = policies[0][0].removeprefix(CSP + "; ").split("; ")
    assert [d.split()[0] for d in added] == ["style-src", "worker-src"]
    assert "unsafe-inline" not in policies[0][0]
    nonces = [re.search(r"'nonce-([^']+)'", p[0]).group(1) for p in policies]
    assert nonces[0] != nonces[1]  # a nonce per answer
    assert f'data-style-nonce="{nonces[0]}"' in first.text
    assert first.headers["cache-control"] == "no-store"


async def test_no_hsts_when_the_public_url_is_http(client):
    for path in [*PAGES, *DOCS]:
        assert "strict-transport-security" not in (await client.get(path)).headers, path


class TestBehindHttps:
    @pytest.fixture
    def settings_overrides(self):
        return {"public_url": "https://chat.example.com"}

    async def test_every_answer_carries_hsts(self, client, ana):
        for path in [*PAGES, *DOCS, "/api/users/me"]:
            response = await client.get(path, headers=ana.headers)
            assert response.headers.get_list("strict-transport-security") == ["max-age=31536000"], (
                path
            )

    async def test_a_500_carries_hsts(self, app):
        response = await _get_a_500(app)
        assert response.headers["strict-transport-security"] == "max-age=31536000"


class TestHstsTuned:
    @pytest.fixture
    def settings_overrides(self):
        return {"public_url": "https://chat.example.com", "hsts_max_age": 600}

    async def test_the_setting_gives_the_max_age(self, client):
        assert (await client.get("/")).headers["strict-transport-security"] == "max-age=600"


async def test_private_json_is_never_stored_by_a_cache(client, ana):
    login = await client.post(
        "/api/auth/login", json={"login": ana.username, "password": ana.password}
    )
    refresh = await client.post(
        "/api/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    token = await client.post(
        "/api/auth/token", data={"username": ana.username, "password": ana.password}
    )
    profile = await client.patch(
        "/api/users/me", headers=ana.headers, json={"phone": "+44 20 7946 0000"}
    )
    me = await client.get("/api/users/me", headers=ana.headers)
    sessions = await client.get("/api/users/me/sessions", headers=ana.headers)
    chats = await client.get("/api/chats", headers=ana.headers)
    refused = await client.get("/api/users/me")
    for response in (login, refresh, token, profile, me, sessions, chats, refused):
        assert response.status_code in (200, 401), response.text
        assert response.headers.get_list("cache-control") == ["no-store"], response.url


async def test_files_keep_their_own_caching(client, ana):
    uploaded = await client.post(
        "/api/files", headers=ana.headers, files={"file": ("notes.txt", b"0123456789")}
    )
    assert uploaded.status_code == 201, uploaded.text
    ranged = await client.get(uploaded.json()["url"], headers={**ana.headers, "Range": "bytes=2-5"})
    assert ranged.status_code == 206 and ranged.content == b"2345"
    assert ranged.headers.get_list("cache-control") == ["private"]


async def test_pages_keep_their_own_caching(client):
    assert (await client.get("/")).headers.get_list("cache-control") == ["no-cache"]


async def _get_a_500(app) -> httpx.Response:
    """GET a route (this test's own) that raises: Starlette's ServerErrorMiddleware answers."""

    async def explode() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/explode", explode)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/explode")
    assert response.status_code == 500
    return response


async def test_a_500_carries_the_security_headers(app):
    response = await _get_a_500(app)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert "default-src 'self'" in response.headers["content-security-policy"]


async def test_the_headers_come_from_the_outermost_layer(settings):
    # A middleware added after create_app() still sits inside the headers' layer.
    app = create_app(settings)

    class Explodes:
        def __init__(self, inner) -> None:
            self.inner = inner

        async def __call__(self, scope, receive, send) -> None:
            if scope["type"] == "http" and scope["path"] == "/explode-outside":
                raise RuntimeError("a bug in a middleware")
            await self.inner(scope, receive, send)

    app.add_middleware(Explodes)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get("/explode-outside")
    assert response.status_code == 500
    assert response.headers["x-content-type-options"] == "nosniff"
