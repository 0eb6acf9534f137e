"""POST /api/auth/register: the private profile it answers, uniqueness regardless of case, and
every input it refuses with 422 (never a 500, even for text no database can store)."""

import pytest

from tests.conftest import assert_error

PASSWORD = "correct horse battery"
PRIVATE_FIELDS = {
    "id",
    "username",
    "display_name",
    "bio",
    "created_at",
    "online",
    "deactivated",
    "avatar_url",
    "timezone",
    "email",
    "phone",
    "birth_date",
    "settings",
    "email_missed_messages",
    "email_verified",
    "email_verification_required",
    "is_site_admin",
}


async def register(client, email="dee@example.com", username="dee", password=PASSWORD, **extra):
    body = {"email": email, "username": username, "password": password, **extra}
    return await client.post("/api/auth/register", json=body)


async def test_register_answers_201_with_the_private_profile(client):
    response = await register(client)
    assert response.status_code == 201, response.text
    user = response.json()
    assert set(user) == PRIVATE_FIELDS
    assert user["email"] == "dee@example.com"
    assert user["username"] == "dee"
    assert user["display_name"] == "dee"  # defaults to the username
    assert user["bio"] == "" and user["settings"] == {}
    assert user["email_missed_messages"] is True  # on until turned off
    assert user["phone"] is None and user["birth_date"] is None
    assert isinstance(user["id"], int) and user["id"] > 0


async def test_register_keeps_a_given_display_name_trimmed(client):
    response = await register(client, display_name="  Dee Dee  ")
    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "Dee Dee"


async def test_registered_user_can_sign_in(client):
    assert (await register(client)).status_code == 201
    response = await client.post("/api/auth/login", json={"login": "dee", "password": PASSWORD})
    assert response.status_code == 200, response.text
    assert response.json()["user"]["username"] == "dee"


async def test_password_is_never_part_of_the_answer(client):
    response = await register(client)
    assert PASSWORD not in response.text
    assert "password" not in response.text


@pytest.mark.parametrize("email", ["dee@example.com", "DEE@EXAMPLE.COM", "Dee@Example.Com"])
async def test_email_taken_regardless_of_case_creates_nothing_and_says_only_202(client, email):
    # Not 409: that would tell anyone which addresses have accounts (the owner is mailed:
    # tests/accounts/test_password_reset.py).
    assert (await register(client)).status_code == 201
    response = await register(client, email=email, username="other")
    assert response.status_code == 202
    assert set(response.json()) == {"detail"}
    login = {"login": "other", "password": PASSWORD}
    assert (await client.post("/api/auth/login", json=login)).status_code == 401


@pytest.mark.parametrize("username", ["dee", "DEE", "Dee"])
async def test_username_taken_regardless_of_case(client, username):
    assert (await register(client)).status_code == 201
    response = await register(client, email="other@example.com", username=username)
    assert_error(response, 409, "username_taken")


async def test_a_refused_duplicate_creates_nothing(client):
    assert (await register(client)).status_code == 201
    assert_error(await register(client, username="DEE", email="x@example.com"), 409)
    # The address of the refused sign-up is still free.
    assert (await register(client, username="xavier", email="x@example.com")).status_code == 201


@pytest.mark.parametrize("username", ["abc", "a.b", "a-b", "a_b", "A1.b-C_9", "x" * 32])
async def test_usernames_that_fit_the_pattern_are_accepted(client, username):
    response = await register(client, username=username)
    assert response.status_code == 201, response.text
    assert response.json()["username"] == username


@pytest.mark.parametrize(
    "username",
    [
        "ab",
        "x" * 33,
        "",
        "has space",
        "ünï",
        "a/b",
        "a@b",
        "a+b",
        "émile",
        "abc\n",
        " abc",
    ],
)
async def test_usernames_outside_the_pattern_are_refused(client, username):
    error = assert_error(await register(client, username=username), 422, "validation_error")
    assert "username" in error["message"]


@pytest.mark.parametrize("length", [8, 128])
async def test_password_length_bounds_are_inclusive(client, length):
    response = await register(client, password="p" * length)
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("length", [0, 7, 129])
async def test_password_too_short_or_too_long_is_refused(client, length):
    error = assert_error(await register(client, password="p" * length), 422, "validation_error")
    assert "password" in error["message"]


async def test_validation_error_does_not_echo_the_password(client):
    password = "p" * 200
    response = await register(client, password=password)
    assert_error(response, 422)
    assert password not in response.text


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "dee@",
        "@example.com",
        "dee@@example.com",
        "",
        "dee example@example.com",
        "a" * 250 + "@example.com",
    ],
)
async def test_bad_email_is_refused(client, email):
    error = assert_error(await register(client, email=email), 422, "validation_error")
    assert "email" in error["message"]


async def test_display_name_too_long_is_refused(client):
    assert_error(await register(client, display_name="d" * 65), 422, "validation_error")


@pytest.mark.parametrize("missing", ["email", "username", "password"])
async def test_missing_field_is_refused(client, missing):
    body = {"email": "dee@example.com", "username": "dee", "password": PASSWORD}
    del body[missing]
    error = assert_error(await client.post("/api/auth/register", json=body), 422)
    assert missing in error["message"]


async def test_body_that_is_not_json_is_refused(client):
    response = await client.post(
        "/api/auth/register", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize("field", ["password", "display_name", "email"])
async def test_nul_character_is_refused_not_a_server_error(client, field):
    body = {
        "email": "dee@example.com",
        "username": "dee",
        "password": PASSWORD,
        "display_name": "Dee",
    }
    body[field] = body[field][:2] + "\x00" + body[field][2:]
    assert_error(await client.post("/api/auth/register", json=body), 422, "validation_error")


@pytest.mark.parametrize("field", ["password", "display_name", "email"])
async def test_lone_surrogate_is_refused_not_a_server_error(client, field):
    # httpx can't encode a lone surrogate, so write the JSON escape by hand.
    values = {
        "email": "dee@example.com",
        "username": "dee",
        "password": PASSWORD,
        "display_name": "Dee",
    }
    values[field] = values[field] + "\\ud800"
    raw = "{" + ", ".join(f'"{k}": "{v}"' for k, v in values.items()) + "}"
    response = await client.post(
        "/api/auth/register", content=raw.encode(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 422, "validation_error")


async def test_nothing_is_stored_after_an_unstorable_display_name(client):
    bad = await register(client, display_name="a\x00b")
    assert_error(bad, 422)
    assert (await register(client)).status_code == 201
