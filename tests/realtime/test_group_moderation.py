"""Group mutes, slow mode and bans over the socket: a refused send is an `error` frame naming
its send (`muted` with `until`, `slow_mode` with `retry_after`, `not_a_member` for someone
banned), the socket stays open, and the mute reaches every member's sockets as
member.updated."""

from __future__ import annotations

import uuid
from datetime import datetime

from tests.realtime.helpers import call, new_group, of_type


async def send_frame(socket, chat_id: int, text: str) -> dict:
    """Send over the socket; its answer, `ack` or `error`."""
    client_id = uuid.uuid4().hex
    await socket.frame(
        {"type": "message.send", "chat_id": chat_id, "text": text, "client_id": client_id}
    )
    return await socket.wait_for(
        lambda e: e["type"] in ("ack", "error") and e.get("client_id") == client_id
    )


async def test_a_muted_member_gets_a_muted_frame_then_sends_once_unmuted(people, http, connect):
    ana, bob = await people("ana", "bob")
    chat = await new_group(http, ana, bob)
    ana_ws, bob_ws = await connect(ana), await connect(bob)
    body = {"user_id": bob.id, "minutes": 10}
    muted = await call(http, ana, "POST", f"/api/chats/{chat['id']}/mutes", json=body)
    for socket in (ana_ws, bob_ws):
        event = await socket.wait_for(of_type("member.updated", user_id=bob.id))
        assert event["muted_until"] is not None and event["role"] == "member"

    refused = await send_frame(bob_ws, chat["id"], "hello")
    assert refused["code"] == "muted", refused
    assert datetime.fromisoformat(refused["until"]) == datetime.fromisoformat(muted["muted_until"])
    await call(http, ana, "DELETE", f"/api/chats/{chat['id']}/mutes/{bob.id}", 204)
    lifted = await bob_ws.wait_for(
        lambda e: e["type"] == "member.updated" and e["muted_until"] is None
    )
    assert lifted["user_id"] == bob.id
    assert (await send_frame(bob_ws, chat["id"], "back"))["type"] == "ack"


async def test_slow_mode_answers_with_the_wait(people, http, connect):
    ana, bob = await people("ana", "bob")
    chat = await new_group(http, ana, bob)
    await call(http, ana, "PATCH", f"/api/chats/{chat['id']}", json={"slow_mode_seconds": 120})
    bob_ws = await connect(bob)
    assert (await send_frame(bob_ws, chat["id"], "one"))["type"] == "ack"
    refused = await send_frame(bob_ws, chat["id"], "two")
    assert refused["code"] == "slow_mode", refused
    assert 119 <= refused["retry_after"] <= 120 and refused["slow_mode_seconds"] == 120
    # the owner isn't held back, over the socket either
    ana_ws = await connect(ana)
    for words in ("a", "b"):
        assert (await send_frame(ana_ws, chat["id"], words))["type"] == "ack"


async def test_a_banned_member_cannot_send_over_the_socket(people, http, connect):
    ana, bob = await people("ana", "bob")
    chat = await call(
        http, ana, "POST", "/api/chats", 201,
        json={"name": "lobby", "is_public": True, "member_ids": [bob.id]},
    )  # fmt: skip
    bob_ws = await connect(bob)
    await call(http, ana, "POST", f"/api/chats/{chat['id']}/bans", 204, json={"user_id": bob.id})
    await bob_ws.wait_for(of_type("member.left", user_id=bob.id))
    refused = await send_frame(bob_ws, chat["id"], "still here?")
    assert refused["code"] == "not_a_member", refused
    assert (
        await http.post(f"/api/chats/{chat['id']}/join", headers=bob.headers)
    ).status_code == 403
