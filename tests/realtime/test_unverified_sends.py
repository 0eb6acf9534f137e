"""Email verification on an open socket (/ws and Socket.IO): a `message.send` before the link is
followed gets an `email_unverified` error frame; following it tells the socket (`me.updated`)
and the next send is stored, without reconnecting; a new address stops it again."""

from __future__ import annotations

import pytest

from chinwag.client import ChinwagAPIError
from tests.accounts.mailbox import verification_settings, verification_token
from tests.realtime.helpers import call, new_group, of_type


@pytest.fixture
def settings_overrides(smtp_server) -> dict:
    return verification_settings(smtp_server)


@pytest.mark.parametrize("transport", ["ws", "socketio"])
async def test_a_socket_sends_once_its_address_is_verified(http, people, connect, inbox, transport):
    (ana,) = await people("ana")
    token = await verification_token(inbox, "ana@example.com")
    chat = await new_group(http, ana)
    socket = await connect(ana, transport=transport)
    assert socket.ready["user"]["email_verified"] is False

    with pytest.raises(ChinwagAPIError) as refused:
        await socket.send(chat["id"], "too early")
    assert refused.value.code == "email_unverified"

    verified = await http.post("/api/auth/verify-email", json={"token": token})
    assert verified.status_code == 200, verified.text
    told = await socket.wait_for(of_type("me.updated"))
    assert told["user"]["email_verified"] is True and "email" in told["user"]
    message = await socket.send(chat["id"], "now it works")
    assert message["text"] == "now it works"

    seen = len(inbox.messages)
    change = {"email": "ana@elsewhere.org", "current_password": ana.password}
    await call(http, ana, "PATCH", "/api/users/me", json=change)
    await socket.wait_for(lambda e: e["type"] == "me.updated" and not e["user"]["email_verified"])
    with pytest.raises(ChinwagAPIError) as again:
        await socket.send(chat["id"], "after the change")
    assert again.value.code == "email_unverified"
    token = await verification_token(inbox, "ana@elsewhere.org", after=seen)
    assert (await http.post("/api/auth/verify-email", json={"token": token})).is_success
    await socket.wait_for(lambda e: e["type"] == "me.updated" and e["user"]["email_verified"])
    # nothing was stored for the refused sends: the seqs follow on
    assert (await socket.send(chat["id"], "verified again"))["seq"] == message["seq"] + 1


async def test_a_new_username_reaches_the_people_who_share_a_chat(http, connect, people):
    ana, bob = await people("ana", "bob")
    await new_group(http, ana, bob)
    bobs = await connect(bob)
    anas = await connect(ana)
    await call(http, ana, "PATCH", "/api/users/me", json={"username": "ana.silva"})
    told = await bobs.wait_for(of_type("user.updated"))
    assert told["user"]["id"] == ana.id and told["user"]["username"] == "ana.silva"
    assert "email" not in told["user"]  # the public profile only
    mine = await anas.wait_for(of_type("me.updated"))
    assert mine["user"]["username"] == "ana.silva" and mine["user"]["email"] == ana.email
