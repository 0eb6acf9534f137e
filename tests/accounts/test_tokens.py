"""Access tokens (the Bearer header and what makes one invalid) and refresh tokens: rotation,
reuse detection that revokes the session, and the HttpOnly refresh cookie."""

from datetime import timedelta

import jwt
import pytest

from chinwag.accounts.security import JWT_ALGORITHM, create_access_token
from chinwag.db.base import utcnow
from tests.accounts.conftest import session_id_of
from tests.conftest import assert_error


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def me(client, token: str):
    return await client.get("/api/users/me", headers=bearer(token))


# --- access tokens ---


async def test_no_token_is_401_not_authenticated_with_a_challenge(client):
    response = await client.get("/api/users/me")
    assert_error(response, 401, "not_authenticated")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("header", ["Basic YW5hOnB3", "Bearer", "Token abc", ""])
async def test_non_bearer_authorization_is_not_authenticated(client, ana, header):
    response = await client.get("/api/users/me", headers={"Authorization": header})
    assert_error(response, 401, "not_authenticated")


async def test_valid_token_works(client, ana):
    response = await me(client, ana.access_token)
    assert response.status_code == 200 and response.json()["id"] == ana.id


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30.x", "x" * 5000])
async def test_garbage_token_is_401_invalid_token(client, ana, token):
    response = await me(client, token)
    assert_error(response, 401, "invalid_token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_expired_token_is_401(client, settings, ana):
    token = create_access_token(settings.signing_key, ana.id, session_id_of(ana), -1)
    assert_error(await me(client, token), 401, "invalid_token")


async def test_freshly_minted_token_for_a_live_session_works(client, settings, ana):
    # The same recipe as the expired one above, with time left: only `exp` made that fail.
    token = create_access_token(settings.signing_key, ana.id, session_id_of(ana), 1)
    assert (await me(client, token)).status_code == 200


async def test_tampered_payload_is_401(client, settings, ana, bob):
    header, _, signature = ana.access_token.split(".")
    # bob's claims with ana's signature
    payload = bob.access_token.split(".")[1]
    assert_error(await me(client, f"{header}.{payload}.{signature}"), 401, "invalid_token")


async def test_tampered_signature_is_401(client, ana):
    head, _, signature = ana.access_token.rpartition(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert_error(await me(client, f"{head}.{flipped}"), 401, "invalid_token")


def claims_for(person, **changes) -> dict:
    now = utcnow()
    claims = {
        "sub": str(person.id),
        "sid": session_id_of(person),
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "typ": "access",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


async def test_token_signed_with_another_key_is_401(client, ana):
    token = jwt.encode(claims_for(ana), "another-key-of-a-decent-length-0123456789", JWT_ALGORITHM)
    assert_error(await me(client, token), 401, "invalid_token")


async def test_unsigned_token_is_401(client, ana):
    token = jwt.encode(claims_for(ana), None, algorithm="none")
    assert_error(await me(client, token), 401, "invalid_token")


@pytest.mark.parametrize(
    "changes",
    [
        {"typ": "refresh"},
        {"typ": None},
        {"sid": None},
        {"sub": None},
        {"exp": None},
        {"sub": "not-a-number"},
        {"sid": "no-such-session"},
    ],
)
async def test_token_with_wrong_claims_is_401(client, settings, ana, changes):
    token = jwt.encode(claims_for(ana, **changes), settings.signing_key, JWT_ALGORITHM)
    assert_error(await me(client, token), 401, "invalid_token")


async def test_token_naming_someone_elses_session_is_401(client, settings, ana, bob):
    token = jwt.encode(claims_for(ana, sid=session_id_of(bob)), settings.signing_key, JWT_ALGORITHM)
    assert_error(await me(client, token), 401, "invalid_token")


async def test_token_of_an_expired_session_is_401(client, ana, expire_session):
    await expire_session(ana, utcnow() - timedelta(seconds=1))
    assert_error(await me(client, ana.access_token), 401, "invalid_token")


async def test_token_of_a_deactivated_user_is_401(client, ana, deactivate):
    await deactivate(ana)
    assert_error(await me(client, ana.access_token), 401, "invalid_token")


# --- refresh: rotation and reuse ---


async def refresh(client, token: str):
    return await client.post("/api/auth/refresh", json={"refresh_token": token})


async def test_refresh_gives_a_new_pair_that_works(client, ana):
    response = await refresh(client, ana.refresh_token)
    assert response.status_code == 200, response.text
    pair = response.json()
    assert set(pair) == {
        "access_token",
        "refresh_token",
        "token_type",
        "expires_in",
        "user",
        "two_factor_setup_required",
    }
    assert pair["two_factor_setup_required"] is False
    assert pair["refresh_token"] != ana.refresh_token
    assert pair["user"]["id"] == ana.id
    assert (await me(client, pair["access_token"])).json()["id"] == ana.id
    again = await refresh(client, pair["refresh_token"])
    assert again.status_code == 200, again.text


async def test_refresh_keeps_the_session(client, ana):
    pair = (await refresh(client, ana.refresh_token)).json()
    assert session_id_of(ana) == pair["refresh_token"].split(".")[0]
    # the access token from before the refresh still names a live session
    assert (await me(client, ana.access_token)).status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_session(client, ana):
    newer = (await refresh(client, ana.refresh_token)).json()
    newest = (await refresh(client, newer["refresh_token"])).json()

    assert_error(await refresh(client, ana.refresh_token), 401, "invalid_token")

    assert_error(await me(client, newest["access_token"]), 401, "invalid_token")
    assert_error(await me(client, ana.access_token), 401, "invalid_token")
    assert_error(await refresh(client, newest["refresh_token"]), 401, "invalid_token")


async def test_reuse_revokes_only_that_session(client, ana, second_device):
    other = await second_device(ana)
    await refresh(client, ana.refresh_token)
    assert_error(await refresh(client, ana.refresh_token), 401)
    assert (await me(client, other.access_token)).status_code == 200
    assert (await refresh(client, other.refresh_token)).status_code == 200


@pytest.mark.parametrize("token", ["garbage", ".", "nosuchsession.secret", "abc.", ".abc"])
async def test_garbage_refresh_token_is_401(client, ana, token):
    assert_error(await refresh(client, token), 401, "invalid_token")


async def test_real_session_with_a_wrong_secret_is_401_and_revokes_it(client, ana):
    forged = f"{session_id_of(ana)}.not-the-secret"
    assert_error(await refresh(client, forged), 401, "invalid_token")
    assert_error(await me(client, ana.access_token), 401)


async def test_refresh_of_an_expired_session_is_401(client, ana, expire_session):
    await expire_session(ana, utcnow() - timedelta(seconds=1))
    assert_error(await refresh(client, ana.refresh_token), 401, "invalid_token")


async def test_refresh_of_a_deactivated_user_is_401(client, ana, deactivate):
    await deactivate(ana)
    assert_error(await refresh(client, ana.refresh_token), 401, "invalid_token")


async def test_refresh_without_any_token_is_401(client, ana):
    client.cookies.clear()
    assert_error(await client.post("/api/auth/refresh"), 401, "invalid_token")
    assert_error(await client.post("/api/auth/refresh", json={}), 401, "invalid_token")


@pytest.mark.parametrize(
    "body", [{"refresh_token": "x" * 201}, {"refresh_token": "a\x00b"}, {"refresh_token": 12}]
)
async def test_malformed_refresh_body_is_422(client, ana, body):
    assert_error(await client.post("/api/auth/refresh", json=body), 422, "validation_error")


# --- the refresh cookie ---


def set_cookie_header(response) -> str:
    [header] = [
        v for v in response.headers.get_list("set-cookie") if v.startswith("chinwag_refresh=")
    ]
    return header


async def test_login_sets_an_httponly_strict_cookie_scoped_to_auth(login, ana):
    response = await login("ana", ana.password)
    cookie = set_cookie_header(response)
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert attributes[0] == f"chinwag_refresh={response.json()['refresh_token']}".lower()
    assert "httponly" in attributes
    assert "samesite=strict" in attributes
    assert "path=/api/auth" in attributes
    assert "secure" not in attributes  # public_url is http:// in tests
    max_age = next(a for a in attributes if a.startswith("max-age="))
    assert int(max_age.split("=")[1]) == 30 * 86400


@pytest.mark.parametrize("settings_overrides", [{"public_url": "https://chat.example.com"}])
async def test_cookie_is_secure_when_served_over_https(login, ana):
    cookie = set_cookie_header(await login("ana", ana.password))
    assert "secure" in [part.strip().lower() for part in cookie.split(";")]


async def test_refresh_by_cookie_alone(client, login, ana, bob):
    client.cookies.clear()
    signed = (await login("ana", ana.password)).json()
    assert client.cookies.get("chinwag_refresh") == signed["refresh_token"]

    response = await client.post("/api/auth/refresh")
    assert response.status_code == 200, response.text
    pair = response.json()
    assert pair["user"]["id"] == ana.id
    # the cookie rotates along with the token
    assert set_cookie_header(response).startswith(f"chinwag_refresh={pair['refresh_token']};")
    assert client.cookies.get("chinwag_refresh") == pair["refresh_token"]
    assert (await client.post("/api/auth/refresh")).status_code == 200


async def test_rotated_cookie_reused_is_401_and_revokes(client, login, ana):
    client.cookies.clear()
    old = (await login("ana", ana.password)).json()
    assert (await client.post("/api/auth/refresh")).status_code == 200
    client.cookies.clear()
    response = await client.post(
        "/api/auth/refresh", headers={"Cookie": f"chinwag_refresh={old['refresh_token']}"}
    )
    assert_error(response, 401, "invalid_token")
    assert_error(await me(client, old["access_token"]), 401)


async def test_token_in_the_body_wins_over_the_cookie(client, login, ana, bob):
    client.cookies.clear()
    await login("ana", ana.password)  # the cookie is ana's
    response = await refresh(client, bob.refresh_token)
    assert response.status_code == 200, response.text
    assert response.json()["user"]["id"] == bob.id
