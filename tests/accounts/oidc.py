"""A real OpenID provider for the single sign-on tests: panva's oidc-provider (from npm,
installed once per lock file into the user's cache, as the Socket.IO tests install
socket.io-client) run by oidc_provider/provider.mjs, and a browser's way through its
sign-in and consent pages with httpx."""

from __future__ import annotations

import json
import re
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from tests.npm import NODE, installed_script

HERE = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "chinwag"
CLIENT_SECRET = "a-client-secret-for-tests-only"  # noqa: S105 - the test provider's client
# The provider's people: the login typed on its sign-in page names one.
ACCOUNTS = {
    "alice": {
        "email": "alice@example.com",
        "email_verified": True,
        "name": "Alice Liddell",
        "preferred_username": "alice",
    },
    "carol": {"email": "Carol@Example.com", "email_verified": True, "name": "Carol"},
    "eve": {"email": "eve@example.com", "email_verified": False, "name": "Eve"},
    "alice2": {
        "email": "alice.other@example.com",
        "email_verified": True,
        "preferred_username": "alice",
    },
}


def provider_script() -> Path:
    """provider.mjs beside node_modules with oidc-provider (tests/npm.py)."""
    return installed_script(HERE, "oidc-provider", "oidc-provider", "provider.mjs")


@dataclass
class Provider:
    issuer: str

    def settings(self) -> dict:
        """chinwag's settings for single sign-on with this provider."""
        return {
            "oidc_issuer": self.issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": CLIENT_SECRET,
            "oidc_name": "Test ID",
        }


@contextmanager
def running_provider(redirect_uris: list[str], host: str = "127.0.0.1"):
    """A provider on a free port of `host` whose one client (CLIENT_ID) may send people
    back to `redirect_uris`; stopped (its stdin closed) on the way out."""
    config = {
        "host": host,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": redirect_uris,
        "accounts": ACCOUNTS,
    }
    process = subprocess.Popen(
        [NODE, str(provider_script()), json.dumps(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # its warnings about development mode
    )
    try:
        line = process.stdout.readline()  # printed once it listens
        assert line, f"the provider did not start (exit code {process.poll()})"
        provider = Provider(json.loads(line)["issuer"])
        discovery = httpx.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=10)
        assert discovery.json()["issuer"] == provider.issuer
        yield provider
    finally:
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def with_param(url: str, **params: str) -> str:
    """`url` with these query parameters changed (as a tampering browser would)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query)) | params
    return urlunsplit(parts._replace(query=urlencode(query)))


async def through_provider(authorization_url: str, login: str, back_to: str) -> str:
    """Follow the authorization URL as a fresh browser would, sign in as `login` on the
    provider's page and consent; answer the URL it sends the browser back to (starting
    with `back_to`)."""
    async with httpx.AsyncClient(timeout=10) as browser:
        response = await browser.get(authorization_url)
        for _ in range(20):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(back_to):
                    return location
                response = await browser.get(location)
                continue
            assert response.status_code == 200, response.text
            action = unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text)[1])
            prompt = re.search(r'name="prompt" value="(\w+)"', response.text)[1]
            fields = {"prompt": prompt, "login": login, "password": "anything"}
            response = await browser.post(urljoin(str(response.url), action), data=fields)
    raise AssertionError("the provider never sent the browser back")


CHINWAG = "http://testserver"  # the in-process app's address (tests.conftest.settings_for)
CALLBACK = f"{CHINWAG}/api/auth/oidc/callback"


async def sso_answer(
    client: httpx.AsyncClient, login: str, *, query: str = "", **tamper: str
) -> httpx.Response:
    """Sign in as `login` through the provider, starting at /api/auth/oidc/start (with
    `query`): chinwag's answer to the provider's redirect back. `tamper` changes parameters
    of chinwag's authorization URL before the browser follows it."""
    started = await client.get(f"/api/auth/oidc/start{query}")
    assert started.status_code == 303, started.text
    url = started.headers["location"]
    if tamper:
        url = with_param(url, **tamper)
    back = await through_provider(url, login, f"{CHINWAG}/")
    return await client.get(back.removeprefix(CHINWAG))


def sso_error(response: httpx.Response) -> str:
    """The error chinwag sent the browser back to its sign-in page with."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/#/signin?sso_error="), location
    return location.partition("=")[2]


async def signed_in(client: httpx.AsyncClient, response: httpx.Response) -> dict:
    """After a successful callback: the session its cookie holds, traded as the web client
    does on load (POST /api/auth/refresh without a body)."""
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    refreshed = await client.post("/api/auth/refresh")
    assert refreshed.status_code == 200, refreshed.text
    return refreshed.json()
