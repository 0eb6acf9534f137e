"""Ending a session closes its sockets with 1008: logout, a password change (the other
sessions), a password reset (every session) and revoking a device. Other sockets stay."""

from __future__ import annotations

import email
import email.policy
import re

import pytest
from websockets.exceptions import InvalidStatus

from tests.realtime.helpers import barrier, call, of_type

NEW_PASSWORD = "a brand new passphrase"
RESET_LINK = re.compile(r"/#/reset\?token=([A-Za-z0-9_-]+)")


def session_id(person) -> str:
    return person.refresh_token.partition(".")[0]


@pytest.fixture
async def devices(people, sign_in_again, connect):
    """ana signed in twice (phone and laptop sessions), each with a socket; bob too."""
    ana, bob = await people("ana", "bob")
    ana_laptop = await sign_in_again(ana)
    sockets = [await connect(p) for p in (ana, ana, ana_laptop, bob)]
    return (ana, ana_laptop, bob), sockets


async def stays_open(*sockets) -> None:
    for socket in sockets:
        await barrier(socket)
        assert socket.close_code is None


async def test_logout_closes_that_sessions_sockets_only(devices, http):
    (ana, _, _), (phone, phone_too, laptop, bob_s) = devices
    await call(http, ana, "POST", "/api/auth/logout", 204)
    assert await phone.wait_closed() == 1008
    assert await phone_too.wait_closed() == 1008  # two sockets of the same session
    await stays_open(laptop, bob_s)


async def test_password_change_closes_the_other_sessions_sockets(devices, http):
    (ana, ana_laptop, _), (phone, phone_too, laptop, bob_s) = devices
    await call(
        http,
        ana_laptop,
        "POST",
        "/api/users/me/password",
        204,
        json={"current_password": ana.password, "new_password": NEW_PASSWORD},
    )
    assert await phone.wait_closed() == 1008
    assert await phone_too.wait_closed() == 1008
    await stays_open(laptop, bob_s)


async def test_revoking_a_device_closes_its_sockets(devices, http):
    (ana, ana_laptop, _), (phone, phone_too, laptop, bob_s) = devices
    await call(http, ana, "DELETE", f"/api/users/me/sessions/{session_id(ana_laptop)}", 204)
    assert await laptop.wait_closed() == 1008
    await stays_open(phone, phone_too, bob_s)


async def test_refresh_token_reuse_revokes_the_session_and_closes_its_sockets(devices, http):
    (ana, _, _), (phone, phone_too, laptop, bob_s) = devices
    rotated = await http.post("/api/auth/refresh", json={"refresh_token": ana.refresh_token})
    assert rotated.status_code == 200, rotated.text
    reused = await http.post("/api/auth/refresh", json={"refresh_token": ana.refresh_token})
    assert reused.status_code == 401, reused.text
    assert await phone.wait_closed() == 1008
    assert await phone_too.wait_closed() == 1008
    await stays_open(laptop, bob_s)


async def test_password_reset_closes_every_session_of_the_user(devices, http, live, settings):
    (ana, _, _), (phone, phone_too, laptop, bob_s) = devices
    await call(http, ana, "POST", "/api/auth/password-reset", 202, json={"email": ana.email})
    await live.ctx.mail.drain()
    [path] = (settings.data_dir / "outbox").glob("*.eml")
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    token = RESET_LINK.search(mail.get_body().get_content()).group(1)
    response = await http.post(
        "/api/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 204, response.text
    for socket in (phone, phone_too, laptop):
        assert await socket.wait_closed() == 1008
    await stays_open(bob_s)


async def test_a_logged_out_session_cannot_reconnect_while_other_devices_carry_on(
    devices, http, connect
):
    (ana, _, bob), (phone, _, laptop, bob_s) = devices
    await call(http, ana, "POST", "/api/auth/logout", 204)
    assert await phone.wait_closed() == 1008
    with pytest.raises(InvalidStatus) as refused:
        await connect(ana)
    assert refused.value.response.status_code == 403
    direct = await call(http, bob, "POST", "/api/chats/direct", 201, json={"user_id": ana.id})
    await laptop.wait_for(of_type("chat.created"))
    message = await bob_s.send(direct["id"], "still there?")
    await laptop.wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
    )


async def test_deactivating_an_account_closes_all_its_sockets(devices, live, http):
    from chinwag.admin import store

    (ana, _, bob), (phone, phone_too, laptop, bob_s) = devices
    await live.ctx.db.write(lambda db: store.set_flags(db, bob.id, is_site_admin=True))
    await call(http, bob, "POST", f"/api/admin/users/{ana.id}/deactivate")
    assert [await s.wait_closed() for s in (phone, phone_too, laptop)] == [1008] * 3
    await stays_open(bob_s)
