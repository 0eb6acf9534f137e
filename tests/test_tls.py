"""HTTPS served by chinwag itself, over real TLS with a throwaway CA (trustme): REST, the
WebSocket over wss://, HSTS and Secure cookies; and the client's address and scheme taken from
a proxy's X-Forwarded-* headers only when that proxy is trusted."""

from __future__ import annotations

import json
import ssl
from http.cookies import SimpleCookie

import httpx
import pytest
import trustme
from websockets.asyncio.client import connect as ws_connect

from tests.conftest import settings_for
from tests.realtime.conftest import start_server, stop_server

USER = {"email": "ana@example.com", "username": "ana", "password": "correct horse battery"}
COOKIES = ("chinwag_refresh", "chinwag_device")


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def tls_files(ca, tmp_path) -> tuple[str, str]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    certfile, keyfile = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert.private_key_pem.write_to_path(str(keyfile))
    with certfile.open("wb") as out:
        for pem in cert.cert_chain_pems:
            out.write(pem.bytes())
    return str(certfile), str(keyfile)


@pytest.fixture
def client_tls(ca) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
async def https_server(database_url, tmp_path, tls_files):
    certfile, keyfile = tls_files
    # An http public URL: what turns HSTS and Secure on here is the scheme actually served.
    settings = settings_for(
        database_url, tmp_path / "data", tls_certfile=certfile, tls_keyfile=keyfile
    )
    server, task, handle = await start_server(settings)
    yield handle.url.replace("http://", "https://", 1)
    await stop_server(server, task)


def set_cookies(response: httpx.Response) -> dict[str, dict]:
    """Each Set-Cookie by name: its attributes (lower-case), as the browser reads them."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            found[name] = {k: v for k, v in morsel.items() if v} | {"raw": header.lower()}
    return found


async def sign_up_and_in(http: httpx.AsyncClient) -> httpx.Response:
    assert (await http.post("/api/auth/register", json=USER)).status_code == 201
    login = {"login": USER["username"], "password": USER["password"]}
    response = await http.post("/api/auth/login", json=login)
    assert response.status_code == 200, response.text
    return response


async def test_rest_over_https_with_hsts_and_secure_cookies(https_server, client_tls):
    async with httpx.AsyncClient(base_url=https_server, verify=client_tls) as http:
        health = await http.get("/healthz")
        login = await sign_up_and_in(http)
        refreshed = await http.post("/api/auth/refresh")  # with the cookie the login set
    assert health.status_code == 200
    assert health.headers["strict-transport-security"] == "max-age=31536000"
    cookies = set_cookies(login)
    assert set(cookies) >= set(COOKIES)
    for name in COOKIES:
        assert cookies[name]["secure"] and cookies[name]["httponly"], cookies[name]
        assert cookies[name]["samesite"].lower() == "strict"
    assert refreshed.status_code == 200, refreshed.text
    assert set_cookies(refreshed)["chinwag_refresh"]["secure"]


async def test_plain_http_is_refused_on_the_https_port(https_server):
    async with httpx.AsyncClient(base_url=https_server.replace("https", "http", 1)) as http:
        with pytest.raises(httpx.TransportError):
            await http.get("/healthz")


async def test_websocket_over_wss(https_server, client_tls):
    async with httpx.AsyncClient(base_url=https_server, verify=client_tls) as http:
        token = (await sign_up_and_in(http)).json()["access_token"]
        chat = await http.post(
            "/api/chats", json={"name": "tls"}, headers={"Authorization": f"Bearer {token}"}
        )
    assert chat.status_code == 201, chat.text
    url = https_server.replace("https://", "wss://", 1) + f"/ws?token={token}"
    async with ws_connect(url, ssl=client_tls, open_timeout=10) as ws:
        assert json.loads(await ws.recv())["type"] == "ready"
        send = {
            "type": "message.send",
            "chat_id": chat.json()["id"],
            "text": "hi",
            "client_id": "1",
        }
        await ws.send(json.dumps(send))
        frames = [json.loads(await ws.recv()) for _ in range(2)]
    ack = next(f for f in frames if f["type"] == "ack")
    assert ack["message"]["text"] == "hi"


class TestForwardedHeaders:
    """A proxy on 127.0.0.1 speaks for the client; what it says counts only if trusted."""

    @pytest.fixture
    def server_settings(self, database_url, tmp_path):
        def make(**overrides):
            return settings_for(database_url, tmp_path / "data", auth_rate_burst=2, **overrides)

        return make

    async def _serve(self, settings):
        server, task, handle = await start_server(settings)
        return server, task, handle.url

    async def _second_address_refused(self, url: str) -> tuple[bool, httpx.Response]:
        """Spend the sign-in budget of 10.0.0.1, then try as 10.0.0.2, and get the https
        scheme claimed: (was 10.0.0.2 refused, the last answer)."""
        login = {"login": "nobody", "password": "wrong password"}
        async with httpx.AsyncClient(base_url=url) as http:
            for _ in range(3):
                await http.post(
                    "/api/auth/login", json=login, headers={"x-forwarded-for": "10.0.0.1"}
                )
            other = await http.post(
                "/api/auth/login",
                json=login,
                headers={"x-forwarded-for": "10.0.0.2", "x-forwarded-proto": "https"},
            )
        return other.status_code == 429, other

    async def test_ignored_by_default(self, server_settings):
        server, task, url = await self._serve(server_settings())
        try:
            refused, answer = await self._second_address_refused(url)
        finally:
            await stop_server(server, task)
        assert refused  # one client address, whatever the header claims
        assert "strict-transport-security" not in answer.headers

    async def test_believed_from_a_trusted_proxy(self, server_settings):
        server, task, url = await self._serve(server_settings(forwarded_allow_ips="127.0.0.1"))
        try:
            refused, answer = await self._second_address_refused(url)
        finally:
            await stop_server(server, task)
        assert not refused and answer.status_code == 401  # its own budget: a wrong password
        assert answer.headers["strict-transport-security"] == "max-age=31536000"


def test_certificate_and_key_go_together(tmp_path, tls_files):
    from chinwag.config import SettingsError, load_settings

    with pytest.raises(SettingsError, match="CHINWAG_TLS_KEYFILE"):
        load_settings(_env_file=None, tls_certfile=tls_files[0])
    with pytest.raises(SettingsError, match="is not a file"):
        load_settings(_env_file=None, tls_certfile=tls_files[0], tls_keyfile=tmp_path / "nope")
