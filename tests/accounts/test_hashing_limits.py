"""argon2 is bounded: at most N hashes at once and a short queue; beyond that a sign-in is
refused at once (503 server_busy with Retry-After). Cheap checks come before hashing, so a
taken name or a bad reset token costs no argon2 turn."""

from __future__ import annotations

import pytest

from tests.conftest import assert_error


@pytest.fixture
def settings_overrides() -> dict:
    return {"password_hash_concurrency": 1, "password_hash_queue": 0}


def assert_busy(response) -> None:
    assert_error(response, 503, "server_busy")
    assert response.headers["Retry-After"] == "1"


async def test_sign_in_is_refused_at_once_while_every_turn_is_taken(ctx, login, ana):
    async with ctx.hasher.turn():  # the one turn there is, as a flood would hold it
        assert_busy(await login("ana"))
        assert_busy(await login("nobody-at-all"))  # unknown accounts hash too (timing)
    assert (await login("ana")).status_code == 200


async def test_registering_a_taken_name_needs_no_turn(ctx, client, ana):
    async with ctx.hasher.turn():
        taken = await client.post(
            "/api/auth/register",
            json={"email": "new@example.com", "username": "ana", "password": "long enough pw"},
        )
        assert_error(taken, 409, "username_taken")
        fresh = await client.post(
            "/api/auth/register",
            json={"email": "new@example.com", "username": "newbie", "password": "long enough pw"},
        )
        assert_busy(fresh)


async def test_a_bad_reset_token_needs_no_turn(ctx, client):
    async with ctx.hasher.turn():
        response = await client.post(
            "/api/auth/password-reset/confirm",
            json={"token": "not-a-token", "new_password": "long enough pw"},
        )
    assert_error(response, 400, "invalid_token")
