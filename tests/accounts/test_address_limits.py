"""Per-address token buckets on the endpoints that hash a password or send mail: a client
address gets a burst, then a steady rate, then 429 with Retry-After; other addresses and
other endpoints are untouched; CHINWAG_HTTP_RATE_LIMITS=off turns them off."""

from __future__ import annotations

import httpx
import pytest

from chinwag.limits import address_key
from tests.conftest import assert_error

BURST = 3


@pytest.fixture
def settings_overrides() -> dict:
    return {"auth_rate_burst": BURST, "auth_rate_per_minute": 1}


def from_address(app, host: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


# Each endpoint that hashes or mails, with a body it accepts (or refuses cheaply).
LIMITED = {
    "login": ("/api/auth/login", {"json": {"login": "ghost", "password": "wrong password"}}),
    "token": ("/api/auth/token", {"data": {"username": "ghost", "password": "wrong"}}),
    "register": ("/api/auth/register", {"json": {"email": "x"}}),
    "reset": ("/api/auth/password-reset", {"json": {"email": "ghost@example.com"}}),
    "confirm": (
        "/api/auth/password-reset/confirm",
        {"json": {"token": "t" * 43, "new_password": "a new password"}},
    ),
}


@pytest.mark.parametrize("endpoint", sorted(LIMITED))
async def test_an_address_gets_a_burst_then_429_with_retry_after(app, endpoint):
    path, body = LIMITED[endpoint]
    async with from_address(app, "203.0.113.7") as client:
        answers = [await client.post(path, **body) for _ in range(BURST)]
        assert all(a.status_code != 429 for a in answers), [a.text for a in answers]
        refused = await client.post(path, **body)
    assert_error(refused, 429, "rate_limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


async def test_endpoints_share_one_bucket_per_address(app):
    async with from_address(app, "203.0.113.8") as client:
        for endpoint in ("login", "reset", "register"):
            path, body = LIMITED[endpoint]
            assert (await client.post(path, **body)).status_code != 429
        path, body = LIMITED["token"]
        assert_error(await client.post(path, **body), 429, "rate_limited")


async def test_other_addresses_are_untouched(app):
    path, body = LIMITED["reset"]
    async with from_address(app, "203.0.113.9") as client:
        for _ in range(BURST + 1):
            await client.post(path, **body)
    async with from_address(app, "198.51.100.1") as other:
        assert (await other.post(path, **body)).status_code == 202


async def test_changing_a_password_spends_the_address_budget(app, ana):
    async with from_address(app, "203.0.113.10") as client:
        client.headers["Authorization"] = f"Bearer {ana.access_token}"
        body = {"current_password": "wrong password", "new_password": "another password"}
        answers = [await client.post("/api/users/me/password", json=body) for _ in range(BURST)]
        assert all(a.status_code != 429 for a in answers)
        assert_error(await client.post("/api/users/me/password", json=body), 429, "rate_limited")


async def test_reading_and_refreshing_are_not_limited(app, ana):
    async with from_address(app, "203.0.113.11") as client:
        client.headers["Authorization"] = f"Bearer {ana.access_token}"
        for _ in range(BURST * 3):
            assert (await client.get("/api/users/me")).status_code == 200
            answer = await client.post("/api/auth/refresh", json={"refresh_token": "x.y"})
            assert answer.status_code == 401


@pytest.mark.parametrize(
    "settings_overrides", [{"auth_rate_burst": BURST, "http_rate_limits": False}]
)
async def test_off_turns_the_address_limits_off(app):
    path, body = LIMITED["reset"]
    async with from_address(app, "203.0.113.12") as client:
        for _ in range(BURST * 4):
            assert (await client.post(path, **body)).status_code == 202


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        (None, "unknown"),
        ("testclient", "testclient"),
    ],
)
def test_an_ipv6_client_is_counted_by_its_64(host, key):
    assert address_key(host) == key
