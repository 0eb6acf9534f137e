"""Account bodies take JSON's own types only, and a date is still its ISO string."""

import pytest

from tests.conftest import assert_error

PASSWORD = "correct horse battery"


async def me(client, person) -> dict:
    response = await client.get("/api/users/me", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_birth_date_is_still_an_iso_string(client, ana):
    response = await client.patch(
        "/api/users/me", headers=ana.headers, json={"birth_date": "1990-05-17"}
    )
    assert response.status_code == 200, response.text
    assert (await me(client, ana))["birth_date"] == "1990-05-17"


@pytest.mark.parametrize(
    "fields",
    [
        {"birth_date": 0},  # lax dates read a number as a Unix timestamp: 1970-01-01
        {"birth_date": 642902400.0},
        {"display_name": 5},
        {"phone": 123456},
        {"bio": True},
        {"avatar_file_id": True},
        {"avatar_file_id": "1"},
    ],
)
async def test_profile_refuses_lax_types(client, ana, fields):
    before = await me(client, ana)
    response = await client.patch("/api/users/me", headers=ana.headers, json=fields)
    error = assert_error(response, 422, "validation_error")
    assert next(iter(fields)) in error["message"]
    assert await me(client, ana) == before


@pytest.mark.parametrize(
    "body",
    [
        {"email": "dee@example.com", "username": "dee", "password": 12345678},
        {"email": "dee@example.com", "username": "dee", "password": PASSWORD, "display_name": 1},
    ],
)
async def test_register_refuses_a_number_for_a_string(client, body):
    assert_error(await client.post("/api/auth/register", json=body), 422, "validation_error")
    login = {"login": "dee", "password": str(body["password"])}
    assert_error(await client.post("/api/auth/login", json=login), 401)


async def test_login_refuses_a_number_for_a_string(client, signup):
    await signup("12345", password="12345678")
    body = {"login": 12345, "password": "12345678"}
    assert_error(await client.post("/api/auth/login", json=body), 422, "validation_error")
