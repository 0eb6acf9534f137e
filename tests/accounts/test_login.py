"""POST /api/auth/login and /api/auth/token: signing in by email or username, the answer for
a wrong password (the same for an unknown account), and throttling of failed attempts."""

import asyncio
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chinwag.accounts.models import LoginFailure
from chinwag.accounts.routes import DEVICE_COOKIE
from chinwag.db.base import utcnow
from tests.conftest import assert_error

WRONG = "wrong password!"


async def test_login_answers_a_token_pair_and_the_private_profile(login, ana):
    response = await login("ana", ana.password)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "user",
        "two_factor_setup_required",
    }
    assert body["two_factor_setup_required"] is False
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["user"]["id"] == ana.id
    assert body["user"]["email"] == ana.email


@pytest.mark.parametrize("name", ["ana", "ANA", "Ana", "ana@example.com", "ANA@Example.COM"])
async def test_login_by_username_or_email_ignores_case(client, login, ana, name):
    response = await login(name, ana.password)
    assert response.status_code == 200, response.text
    me = await client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    assert me.json()["id"] == ana.id


async def test_each_login_opens_a_new_session(login, ana):
    first = (await login("ana", ana.password)).json()
    second = (await login("ana", ana.password)).json()
    assert first["refresh_token"].split(".")[0] != second["refresh_token"].split(".")[0]
    assert first["access_token"] != second["access_token"]


async def test_wrong_password_is_401_invalid_credentials(login, ana):
    assert_error(await login("ana", WRONG), 401, "invalid_credentials")


async def test_password_is_case_sensitive(login, ana):
    assert_error(await login("ana", ana.password.upper()), 401, "invalid_credentials")


@pytest.mark.parametrize("unknown", ["nobody", "nobody@example.com"])
async def test_unknown_account_gets_the_same_answer_as_a_wrong_password(login, ana, unknown):
    known = await login("ana", WRONG)
    missing = await login(unknown, WRONG)
    assert_error(missing, 401, "invalid_credentials")
    assert missing.status_code == known.status_code
    assert missing.json() == known.json()
    assert missing.headers.get("www-authenticate") == known.headers.get("www-authenticate")


async def test_deactivated_account_cannot_sign_in(login, ana, deactivate):
    await deactivate(ana)
    # Told only with the right password; a wrong one learns nothing of the account.
    assert_error(await login("ana", ana.password), 403, "account_deactivated")
    assert_error(await login("ana", "not the password"), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"login": "ana"},
        {"password": "x"},
        {"login": "", "password": "x"},
        {"login": "ana", "password": ""},
        {"login": "a" * 255, "password": "x"},
        {"login": "ana", "password": "p" * 129},
        {"login": "an\x00a", "password": "x"},
        {"login": "ana", "password": "pa\x00ss"},
        {"login": 5, "password": "x"},
    ],
)
async def test_malformed_login_is_422(client, ana, body):
    assert_error(await client.post("/api/auth/login", json=body), 422, "validation_error")


async def test_lone_surrogate_in_login_is_422(client, ana):
    response = await client.post(
        "/api/auth/login",
        content=b'{"login": "ana\\udc00", "password": "whatever"}',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 422, "validation_error")


# --- the OAuth2 password form (the docs' Authorize button) ---


async def test_token_form_gives_a_bearer_token_that_works(client, ana):
    response = await client.post(
        "/api/auth/token", data={"username": "ana", "password": ana.password}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type"}
    assert body["token_type"] == "bearer"
    me = await client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200 and me.json()["id"] == ana.id


async def test_token_form_accepts_the_email(client, ana):
    response = await client.post(
        "/api/auth/token", data={"username": "ANA@example.com", "password": ana.password}
    )
    assert response.status_code == 200, response.text


async def test_token_form_wrong_password_is_401(client, ana):
    response = await client.post("/api/auth/token", data={"username": "ana", "password": WRONG})
    assert_error(response, 401, "invalid_credentials")


async def test_token_form_oversized_fields_are_401_like_a_wrong_password(client, ana):
    response = await client.post(
        "/api/auth/token", data={"username": "a" * 300, "password": ana.password}
    )
    assert_error(response, 401, "invalid_credentials")


async def test_token_form_needs_both_fields(client, ana):
    response = await client.post("/api/auth/token", data={"username": "ana"})
    assert_error(response, 422, "validation_error")


async def test_token_form_refuses_json(client, ana):
    response = await client.post(
        "/api/auth/token", json={"username": "ana", "password": ana.password}
    )
    assert_error(response, 422, "validation_error")


# --- throttling: 5 failures per account within 15 minutes, then a doubling wait ---


async def fail(login, name: str, times: int) -> None:
    for _ in range(times):
        assert_error(await login(name, WRONG), 401, "invalid_credentials")


def assert_throttled(response) -> int:
    assert_error(response, 429, "too_many_attempts")
    retry_after = response.headers["Retry-After"]
    assert retry_after.isdigit(), retry_after
    assert 1 <= int(retry_after) <= 15 * 60 + 1
    return int(retry_after)


async def test_sixth_attempt_after_five_failures_is_429_even_with_the_right_password(login, ana):
    await fail(login, "ana", 5)
    assert_throttled(await login("ana", ana.password))
    assert_throttled(await login("ana", WRONG))


async def test_unknown_login_is_throttled_the_same_way(login):
    await fail(login, "ghost", 5)
    assert_throttled(await login("ghost", WRONG))


async def test_unknown_login_throttling_ignores_case(login):
    await fail(login, "Ghost@Example.com", 5)
    assert_throttled(await login("ghost@example.com", WRONG))


async def test_email_and_username_of_one_account_share_the_budget(login, ana):
    await fail(login, "ana", 3)
    await fail(login, "ANA@example.com", 2)
    assert_throttled(await login("ana@example.com", ana.password))
    assert_throttled(await login("Ana", ana.password))


async def test_token_form_shares_the_budget_and_answers_429(client, login, ana):
    await fail(login, "ana", 5)
    response = await client.post(
        "/api/auth/token", data={"username": "ana", "password": ana.password}
    )
    assert_throttled(response)


async def test_throttling_one_account_leaves_others_alone(login, ana, bob):
    await fail(login, "ana", 5)
    assert_throttled(await login("ana", ana.password))
    assert (await login("bob", bob.password)).status_code == 200


@pytest.mark.parametrize("name", ["ana", "ghost"])
async def test_parallel_guesses_are_counted_before_any_is_checked(login, ana, name):
    # 30 wrong guesses at once: each is counted before argon2 runs, so exactly the five
    # allowed are checked and the other 25 refused unchecked; then the owner waits too.
    responses = await asyncio.gather(*(login(name, WRONG) for _ in range(30)))
    assert Counter(r.status_code for r in responses) == {401: 5, 429: 25}
    assert_throttled(await login(name, ana.password))


async def test_success_before_the_limit_clears_failures(login, ana):
    await fail(login, "ana", 4)
    assert (await login("ana", ana.password)).status_code == 200
    await fail(login, "ana", 4)  # 8 failures in all, but only 4 since the success
    assert (await login("ana", ana.password)).status_code == 200


async def test_failures_older_than_the_window_no_longer_count(login, ana, db_update):
    await fail(login, "ana", 5)
    assert_throttled(await login("ana", ana.password))
    await db_update(
        LoginFailure, LoginFailure.id > 0, failed_at=utcnow() - timedelta(minutes=15, seconds=1)
    )
    assert (await login("ana", ana.password)).status_code == 200


async def test_past_the_limit_each_failure_doubles_the_wait_up_to_the_window(login, ana, db_update):
    await fail(login, "ana", 5)
    for wait in (2**n for n in range(10)):  # 1 s ... 512 s
        assert assert_throttled(await login("ana", ana.password)) == wait
        # The wait is over (the failures moved back in time): one more guess, which fails.
        await db_update(
            LoginFailure, LoginFailure.id > 0, failed_at=utcnow() - timedelta(seconds=wait)
        )
        await fail(login, "ana", 1)
    assert assert_throttled(await login("ana", ana.password)) == 15 * 60  # not 1,024 s


# --- the owner's own device: a device cookie from an earlier sign-in ---


def device_cookie(response) -> str:
    return response.cookies[DEVICE_COOKIE]


async def test_sign_in_sets_a_device_cookie_scoped_to_auth(login, ana):
    response = await login("ana", ana.password)
    [cookie] = [
        v for v in response.headers.get_list("set-cookie") if v.startswith(f"{DEVICE_COOKIE}=")
    ]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in attributes and "path=/api/auth" in attributes
    assert "samesite=strict" in attributes
    assert "max-age=31536000" in attributes


async def test_guesses_from_elsewhere_never_lock_the_owner_out_of_their_device(login, ana):
    device = device_cookie(await login("ana", ana.password))
    await fail(login, "ana", 5)
    assert_throttled(await login("ana", ana.password))  # from any other device
    answer = await login("ana", ana.password, device=device)
    assert answer.status_code == 200
    assert device_cookie(answer) == device  # the same device, kept


async def test_a_trusted_device_has_its_own_budget(login, ana):
    device = device_cookie(await login("ana", ana.password))
    for _ in range(5):
        assert_error(await login("ana", WRONG, device=device), 401, "invalid_credentials")
    assert_throttled(await login("ana", ana.password, device=device))
    assert (await login("ana", ana.password)).status_code == 200  # the account's is untouched


@pytest.mark.parametrize("forge", ["signature", "owner", "garbage"])
async def test_a_forged_or_foreign_device_cookie_counts_as_an_unknown_device(
    login, ana, bob, forge
):
    device = device_cookie(await login("ana", ana.password))
    owner, nonce, signature = device.split(".")
    forged = {
        "signature": f"{owner}.{nonce}.{'0' * len(signature)}",
        "owner": device_cookie(await login("bob", bob.password)),
        "garbage": "not-a-device",
    }[forge]
    await fail(login, "ana", 5)
    assert_throttled(await login("ana", ana.password, device=forged))


async def test_throttled_attempts_are_not_recorded_as_more_failures(ctx, login, ana):
    await fail(login, "ana", 5)
    for _ in range(3):
        assert_throttled(await login("ana", WRONG))
    count = select(func.count()).select_from(LoginFailure)
    assert await ctx.db.read(lambda db: db.scalar(count)) == 5
