"""Rich messages over real sockets: a WebSocket send renders markdown, quotes its reply and
notifies the people it mentions; reactions and mark-as-unread reach the open sockets."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.realtime.helpers import barrier, call, events_of, new_group, of_type


@pytest.fixture
async def team(people, http, connect):
    """ana (owner), bob and cyd in "Team", dan outside; each with a socket open."""
    ana, bob, cyd, dan = await people("ana", "bob", "cyd", "dan")
    chat = await new_group(http, ana, bob, cyd)
    sockets = [await connect(p) for p in (ana, bob, cyd, dan)]
    return (ana, bob, cyd, dan), chat, sockets


async def test_a_socket_send_renders_quotes_and_notifies(team, http):
    (ana, bob, _, _), chat, (ana_s, bob_s, cyd_s, dan_s) = team
    original = await call(
        http, bob, "POST", f"/api/chats/{chat['id']}/messages", 201, json={"text": "ready?"}
    )
    await ana_s.frame(
        {
            "type": "message.send",
            "chat_id": chat["id"],
            "text": "**yes** @bob <script>x</script>",
            "client_id": "rich-1",
            "reply_to": original["id"],
        }
    )
    ack = await ana_s.wait_for(of_type("ack", client_id="rich-1"))
    message = ack["message"]
    assert message["html"] == (
        f'<p><strong>yes</strong> <span class="mention" data-user-id="{bob.id}">@bob</span>'
        " &lt;script&gt;x&lt;/script&gt;</p>"
    )
    assert message["mentions"] == [bob.id]
    assert message["reply_to"] == {
        "id": original["id"],
        "seq": original["seq"],
        "sender_id": bob.id,
        "snippet": "ready?",
    }

    note = await bob_s.wait_for(of_type("notification", chat_id=chat["id"]))
    assert note["message"]["id"] == message["id"]
    for device in (bob_s, cyd_s):
        new = await device.wait_for(
            lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
        )
        assert new["message"]["html"] == message["html"]
        assert new["message"]["reply_to"] == message["reply_to"]
    for device in (ana_s, cyd_s, dan_s):
        await barrier(device)
        assert events_of(device, "notification") == []
    assert [e["message"]["id"] for e in events_of(dan_s, "message.new")] == []


async def test_reactions_reach_the_members_sockets(team, http):
    (ana, bob, _, _), chat, (ana_s, bob_s, cyd_s, dan_s) = team
    message = await ana_s.send(chat["id"], "lunch?")
    path = f"/api/messages/{message['id']}/reactions/{quote('🍕', safe='')}"
    await call(http, bob, "PUT", path, 204)
    added = {"chat_id": chat["id"], "message_id": message["id"], "emoji": "🍕", "user_id": bob.id}
    for device in (ana_s, bob_s, cyd_s):
        assert await device.wait_for(of_type("reaction.added")) == {
            "type": "reaction.added",
            **added,
        }
    await call(http, bob, "DELETE", path, 204)
    for device in (ana_s, cyd_s):
        assert await device.wait_for(of_type("reaction.removed")) == {
            "type": "reaction.removed",
            **added,
        }
    await barrier(dan_s)
    assert [e for e in dan_s.events if e["type"].startswith("reaction.")] == []


async def test_mark_unread_tells_my_other_device(team, http, connect, sign_in_again):
    (ana, bob, _, _), chat, (ana_s, *_) = team
    for text in ("one", "two", "three"):
        await ana_s.send(chat["id"], text)
    last = (await call(http, bob, "GET", f"/api/chats/{chat['id']}"))["last_seq"]
    await call(http, bob, "POST", f"/api/chats/{chat['id']}/read", 204, json={"seq": last})
    phone = await connect(await sign_in_again(bob))

    await call(http, bob, "POST", f"/api/chats/{chat['id']}/unread", 204, json={"seq": last - 1})

    event = await phone.wait_for(of_type("read", user_id=bob.id, seq=last - 2))
    assert event == {"type": "read", "chat_id": chat["id"], "user_id": bob.id, "seq": last - 2}
    # ana isn't told: marking unread is private, her messages stay read.
    await barrier(ana_s)
    assert not [e for e in ana_s.events if e["type"] == "read" and e["seq"] == last - 2]
