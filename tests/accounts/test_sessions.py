"""Signed-in devices: POST /api/auth/logout and GET/DELETE /api/users/me/sessions."""

import pytest

from tests.accounts.conftest import session_id_of
from tests.conftest import assert_error

SESSION_FIELDS = {"id", "user_agent", "created_at", "last_used_at", "current"}


async def me(client, person):
    return await client.get("/api/users/me", headers=person.headers)


async def sessions(client, person) -> list[dict]:
    response = await client.get("/api/users/me/sessions", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


# --- logout ---


async def test_logout_is_204_and_ends_the_access_token(client, ana):
    response = await client.post("/api/auth/logout", headers=ana.headers)
    assert response.status_code == 204
    assert response.content == b""
    assert_error(await me(client, ana), 401, "invalid_token")


async def test_logout_ends_the_refresh_token_too(client, ana):
    await client.post("/api/auth/logout", headers=ana.headers)
    response = await client.post("/api/auth/refresh", json={"refresh_token": ana.refresh_token})
    assert_error(response, 401, "invalid_token")


async def test_logout_clears_the_refresh_cookie(client, ana):
    response = await client.post("/api/auth/logout", headers=ana.headers)
    [cookie] = [
        v for v in response.headers.get_list("set-cookie") if v.startswith("chinwag_refresh=")
    ]
    attributes = [part.strip().lower() for part in cookie.split(";")]
    assert "path=/api/auth" in attributes
    assert "max-age=0" in attributes


async def test_logout_leaves_other_sessions_alone(client, ana, bob, second_device):
    phone = await second_device(ana, "phone")
    await client.post("/api/auth/logout", headers=ana.headers)
    assert (await me(client, phone)).status_code == 200
    assert (await me(client, bob)).status_code == 200
    ids = [s["id"] for s in await sessions(client, phone)]
    assert ids == [session_id_of(phone)]


async def test_logout_needs_a_token(client):
    assert_error(await client.post("/api/auth/logout"), 401, "not_authenticated")


async def test_logout_twice_is_401_the_second_time(client, ana):
    assert (await client.post("/api/auth/logout", headers=ana.headers)).status_code == 204
    assert_error(await client.post("/api/auth/logout", headers=ana.headers), 401, "invalid_token")


# --- the list ---


async def test_sessions_list_has_the_documented_fields(client, ana):
    [only] = await sessions(client, ana)
    assert set(only) == SESSION_FIELDS
    assert only["id"] == session_id_of(ana)
    assert only["current"] is True
    assert only["user_agent"]  # httpx sends one


async def test_sessions_list_marks_exactly_the_callers_session_current(client, ana, second_device):
    phone = await second_device(ana, "Phone/1.0")
    laptop = await second_device(ana, "Laptop/2.0")
    listed = await sessions(client, phone)
    assert len(listed) == 3
    assert [s["id"] for s in listed if s["current"]] == [session_id_of(phone)]
    by_id = {s["id"]: s for s in listed}
    assert by_id[session_id_of(phone)]["user_agent"] == "Phone/1.0"
    assert by_id[session_id_of(laptop)]["user_agent"] == "Laptop/2.0"
    assert [s["id"] for s in await sessions(client, laptop) if s["current"]] == [
        session_id_of(laptop)
    ]


async def test_sessions_list_shows_only_my_own(client, ana, bob):
    ids = {s["id"] for s in await sessions(client, ana)}
    assert session_id_of(bob) not in ids


async def test_sessions_list_leaves_out_revoked_ones(client, ana, second_device):
    phone = await second_device(ana, "phone")
    await client.post("/api/auth/logout", headers=phone.headers)
    assert [s["id"] for s in await sessions(client, ana)] == [session_id_of(ana)]


async def test_very_long_user_agent_is_cut_not_refused(client, login, ana):
    response = await login("ana", ana.password, user_agent="A" * 1000)
    assert response.status_code == 200, response.text
    agents = [s["user_agent"] for s in await sessions(client, ana)]
    assert "A" * 255 in agents


async def test_sessions_list_needs_a_token(client):
    assert_error(await client.get("/api/users/me/sessions"), 401, "not_authenticated")


# --- revoking one ---


async def test_revoke_another_session(client, ana, second_device):
    phone = await second_device(ana, "phone")
    response = await client.delete(
        f"/api/users/me/sessions/{session_id_of(phone)}", headers=ana.headers
    )
    assert response.status_code == 204
    assert_error(await me(client, phone), 401, "invalid_token")
    refresh = await client.post("/api/auth/refresh", json={"refresh_token": phone.refresh_token})
    assert_error(refresh, 401, "invalid_token")
    assert (await me(client, ana)).status_code == 200
    assert [s["id"] for s in await sessions(client, ana)] == [session_id_of(ana)]


async def test_revoke_my_current_session_signs_me_out(client, ana):
    response = await client.delete(
        f"/api/users/me/sessions/{session_id_of(ana)}", headers=ana.headers
    )
    assert response.status_code == 204
    assert_error(await me(client, ana), 401)


@pytest.mark.parametrize("session_id", ["0" * 32, "nope", "x" * 64])
async def test_revoke_unknown_session_is_404(client, ana, session_id):
    response = await client.delete(f"/api/users/me/sessions/{session_id}", headers=ana.headers)
    assert_error(response, 404, "not_found")


async def test_revoke_session_id_too_long_is_422(client, ana):
    response = await client.delete(f"/api/users/me/sessions/{'x' * 65}", headers=ana.headers)
    assert_error(response, 422, "validation_error")


async def test_revoke_someone_elses_session_is_404_and_changes_nothing(client, ana, bob):
    response = await client.delete(
        f"/api/users/me/sessions/{session_id_of(bob)}", headers=ana.headers
    )
    assert_error(response, 404, "not_found")
    assert (await me(client, bob)).status_code == 200


async def test_revoke_an_already_revoked_session_is_404(client, ana, second_device):
    phone = await second_device(ana)
    path = f"/api/users/me/sessions/{session_id_of(phone)}"
    assert (await client.delete(path, headers=ana.headers)).status_code == 204
    assert_error(await client.delete(path, headers=ana.headers), 404, "not_found")


async def test_revoke_needs_a_token(client, ana):
    response = await client.delete(f"/api/users/me/sessions/{session_id_of(ana)}")
    assert_error(response, 401, "not_authenticated")
    assert (await me(client, ana)).status_code == 200
