"""POST /api/users/me/password: needs the current password, signs out my other devices and
keeps this one signed in."""

import pytest

from tests.conftest import assert_error

NEW = "a brand new passphrase"


async def change(client, person, current: str, new: str = NEW):
    return await client.post(
        "/api/users/me/password",
        headers=person.headers,
        json={"current_password": current, "new_password": new},
    )


async def test_change_is_204_and_the_new_password_signs_in(client, login, ana):
    response = await change(client, ana, ana.password)
    assert response.status_code == 204
    assert response.content == b""
    assert (await login("ana", NEW)).status_code == 200
    assert_error(await login("ana", ana.password), 401, "invalid_credentials")


async def test_change_keeps_the_current_session(client, ana):
    await change(client, ana, ana.password)
    assert (await client.get("/api/users/me", headers=ana.headers)).status_code == 200
    refreshed = await client.post("/api/auth/refresh", json={"refresh_token": ana.refresh_token})
    assert refreshed.status_code == 200, refreshed.text


async def test_change_revokes_my_other_sessions(client, ana, second_device):
    phone = await second_device(ana, "phone")
    laptop = await second_device(ana, "laptop")
    await change(client, ana, ana.password)
    for other in (phone, laptop):
        assert_error(await client.get("/api/users/me", headers=other.headers), 401, "invalid_token")
        refreshed = await client.post(
            "/api/auth/refresh", json={"refresh_token": other.refresh_token}
        )
        assert_error(refreshed, 401, "invalid_token")
    listed = (await client.get("/api/users/me/sessions", headers=ana.headers)).json()
    assert [s["current"] for s in listed] == [True]


async def test_change_leaves_other_people_alone(client, ana, bob):
    await change(client, ana, ana.password)
    assert (await client.get("/api/users/me", headers=bob.headers)).status_code == 200


async def test_wrong_current_password_is_400_and_changes_nothing(client, login, ana, second_device):
    phone = await second_device(ana)
    assert_error(await change(client, ana, "not my password"), 400, "wrong_password")
    assert (await login("ana", ana.password)).status_code == 200
    assert_error(await login("ana", NEW), 401)
    assert (await client.get("/api/users/me", headers=phone.headers)).status_code == 200


@pytest.mark.parametrize("new", ["short", "p" * 7, "p" * 129, "pass\x00word"])
async def test_unacceptable_new_password_is_422(client, login, ana, new):
    error = assert_error(await change(client, ana, ana.password, new), 422, "validation_error")
    assert "new_password" in error["message"]
    assert (await login("ana", ana.password)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"new_password": NEW},
        {"current_password": "x"},
        {"current_password": "", "new_password": NEW},
    ],
)
async def test_incomplete_body_is_422(client, ana, body):
    response = await client.post("/api/users/me/password", headers=ana.headers, json=body)
    assert_error(response, 422, "validation_error")


async def test_change_needs_a_token(client, ana):
    response = await client.post(
        "/api/users/me/password", json={"current_password": ana.password, "new_password": NEW}
    )
    assert_error(response, 401, "not_authenticated")
