"""Two-factor sign-in over REST: setup (not in force until confirmed), recovery codes shown
once and spent once, sign-in asking for the code, replayed and forged codes refused (and
throttled like wrong passwords), regenerating codes, turning it off."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from chinwag.accounts.routes import REFRESH_COOKIE
from chinwag.twofactor.models import RecoveryCode, TwoFactor
from tests.conftest import assert_error
from tests.twofactor.helpers import Authenticator, enable, login

BASE = "/api/users/me/two-factor"


async def status_of(client, person) -> dict:
    response = await client.get(BASE, headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_setup_is_not_in_force_until_confirmed_with_a_right_code(client, ana, ctx):
    assert await status_of(client, ana) == {
        "enabled": False,
        "enabled_at": None,
        "recovery_codes_left": 0,
        "required": False,
    }
    setup = (await client.post(f"{BASE}/setup", headers=ana.headers)).json()
    uri = urlsplit(setup["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    query = parse_qs(uri.query)
    assert query["secret"] == [setup["secret"]] and query["issuer"] == ["chinwag"]
    assert setup["qr_svg"].startswith("data:image/svg+xml")
    assert (await status_of(client, ana))["enabled"] is False
    assert (await login(client, ana)).status_code == 200  # not asked for a code yet

    app = Authenticator(setup["secret"])
    wrong = await client.post(f"{BASE}/confirm", json={"code": app.forged()}, headers=ana.headers)
    assert_error(wrong, 400, "invalid_two_factor_code")
    assert (await status_of(client, ana))["enabled"] is False

    confirmed = await client.post(f"{BASE}/confirm", json={"code": app.code()}, headers=ana.headers)
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == len(set(codes)) == 10
    status = await status_of(client, ana)
    assert status["enabled"] is True and status["recovery_codes_left"] == 10
    again = await client.post(f"{BASE}/setup", headers=ana.headers)
    assert_error(again, 409, "two_factor_enabled")

    # At rest: the secret sealed (not the base32 text), the recovery codes hashed.
    def stored(db):
        secret = db.scalar(select(TwoFactor.secret).where(TwoFactor.user_id == ana.id))
        hashes = db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == ana.id))
        return secret, list(hashes)

    secret, hashes = await ctx.db.read(stored)
    assert setup["secret"] not in secret
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert not any(code.replace("-", "") in h for code in codes for h in hashes)


async def test_sign_in_asks_for_the_code_and_opens_no_session_without_it(client, ana):
    app, _codes = await enable(client, ana)
    asked = await login(client, ana)
    assert_error(asked, 401, "two_factor_required")
    assert REFRESH_COOKIE not in asked.cookies and "access_token" not in asked.text
    wrong_password = await login(client, ana, password="not the password", code=app.code())
    assert_error(wrong_password, 401, "invalid_credentials")

    code = app.code()
    signed = await login(client, ana, code=code)
    assert signed.status_code == 200, signed.text
    me = await client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {signed.json()['access_token']}"}
    )
    assert me.json()["id"] == ana.id

    replayed = await login(client, ana, code=code)
    assert_error(replayed, 401, "invalid_two_factor_code")


async def test_the_oauth2_form_takes_the_code_too(client, ana):
    app, _codes = await enable(client, ana)
    form = {"username": ana.username, "password": ana.password}
    assert_error(await client.post("/api/auth/token", data=form), 401, "two_factor_required")
    signed = await client.post("/api/auth/token", data={**form, "code": app.code()})
    assert signed.status_code == 200 and signed.json()["access_token"]


@pytest.mark.parametrize("settings_overrides", [{"login_max_failures": 3}])
async def test_forged_codes_are_refused_and_throttled_like_wrong_passwords(client, ana):
    app, _codes = await enable(client, ana)
    answers = []
    for _ in range(6):
        response = await login(client, ana, code=app.forged())
        answers.append((response.status_code, response.json()["error"]["code"]))
        if response.status_code == 429:
            break
    assert answers[0] == (401, "invalid_two_factor_code")
    assert answers[-1] == (429, "too_many_attempts"), answers
    assert len(answers) == 4  # the allowed three failures, then the wait
    # Throttled: even the right code waits (no guess reaches the check in the meantime).
    assert_error(await login(client, ana, code=app.code()), 429, "too_many_attempts")


async def test_a_recovery_code_signs_in_once(client, ana):
    _app, codes = await enable(client, ana)
    typed = codes[0].upper().replace("-", " ")  # as someone might type it
    first = await login(client, ana, code=typed)
    assert first.status_code == 200, first.text
    assert_error(await login(client, ana, code=codes[0]), 401, "invalid_two_factor_code")
    assert (await status_of(client, ana))["recovery_codes_left"] == 9
    assert (await login(client, ana, code=codes[1])).status_code == 200


async def test_regenerating_replaces_every_recovery_code(client, ana):
    app, old = await enable(client, ana)
    refused = await client.post(
        f"{BASE}/recovery-codes", json={"code": app.forged()}, headers=ana.headers
    )
    assert_error(refused, 400, "invalid_two_factor_code")
    fresh = await client.post(
        f"{BASE}/recovery-codes", json={"code": app.code()}, headers=ana.headers
    )
    assert fresh.status_code == 200, fresh.text
    new = fresh.json()["recovery_codes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert_error(await login(client, ana, code=old[2]), 401, "invalid_two_factor_code")
    assert (await login(client, ana, code=new[2])).status_code == 200


async def test_turning_it_off_needs_the_password_and_a_code(client, ana):
    app, codes = await enable(client, ana)
    disable = f"{BASE}/disable"
    wrong_password = {"password": "not the password", "code": app.code()}
    response = await client.post(disable, json=wrong_password, headers=ana.headers)
    assert_error(response, 400, "wrong_password")
    wrong_code = {"password": ana.password, "code": app.forged()}
    assert_error(
        await client.post(disable, json=wrong_code, headers=ana.headers),
        400,
        "invalid_two_factor_code",
    )
    missing = await client.post(disable, json={"password": ana.password}, headers=ana.headers)
    assert_error(missing, 422, "validation_error")
    assert (await status_of(client, ana))["enabled"] is True

    done = await client.post(
        disable, json={"password": ana.password, "code": codes[0]}, headers=ana.headers
    )
    assert done.status_code == 204, done.text
    assert (await status_of(client, ana))["enabled"] is False
    assert (await login(client, ana)).status_code == 200
    again = await client.post(
        disable, json={"password": ana.password, "code": codes[1]}, headers=ana.headers
    )
    assert_error(again, 409, "two_factor_not_enabled")


async def test_codes_are_validated(client, ana):
    long = await client.post(f"{BASE}/confirm", json={"code": "1" * 33}, headers=ana.headers)
    assert_error(long, 422, "validation_error")
    unconfirmed = await client.post(f"{BASE}/confirm", json={"code": "123456"}, headers=ana.headers)
    assert_error(unconfirmed, 409, "two_factor_not_pending")
    anonymous = await client.get(BASE)
    assert_error(anonymous, 401)


@pytest.mark.parametrize("settings_overrides", [{"login_max_failures": 3}])
async def test_a_session_guessing_codes_is_throttled_but_not_its_owners_sign_in(client, ana):
    app, _codes = await enable(client, ana)
    answers = []
    for _ in range(6):
        response = await client.post(
            f"{BASE}/recovery-codes", json={"code": app.forged()}, headers=ana.headers
        )
        answers.append(response.status_code)
        if response.status_code == 429:
            break
    assert answers == [400, 400, 400, 429]
    assert (await login(client, ana, code=app.code())).status_code == 200


async def test_a_new_setup_replaces_an_unconfirmed_one(client, ana):
    first = (await client.post(f"{BASE}/setup", headers=ana.headers)).json()
    second = (await client.post(f"{BASE}/setup", headers=ana.headers)).json()
    assert first["secret"] != second["secret"]
    stale = Authenticator(first["secret"]).code()
    refused = await client.post(f"{BASE}/confirm", json={"code": stale}, headers=ana.headers)
    assert_error(refused, 400, "invalid_two_factor_code")
    code = Authenticator(second["secret"]).code()
    confirmed = await client.post(f"{BASE}/confirm", json={"code": code}, headers=ana.headers)
    assert confirmed.status_code == 200, confirmed.text
