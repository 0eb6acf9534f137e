"""Store first, then publish: one message.new per stored message, on its chat's channel."""

from __future__ import annotations

from tests.conftest import assert_error
from tests.messages.helpers import delete, direct, edit, group, read, same_message, send, sent


async def test_message_new_carries_the_stored_message(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    message = await sent(client, ana, chat_["id"], "ping", client_id="ev1")
    channels = [channel for channel, event in events.received if event["type"] == "message.new"]
    assert channels == [f"chat:{chat_['id']}"]
    published = events.of("message.new", chat_["id"])
    assert len(published) == 1 and set(published[0]) == {"type", "message"}
    assert same_message(published[0]["message"], message)


async def test_one_message_new_per_stored_message(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    stored = []
    for i in range(3):
        stored.append(await sent(client, ana, chat_["id"], f"m{i}", client_id=f"k{i}"))
        repeat = await send(client, ana, chat_["id"], f"m{i}", client_id=f"k{i}")
        assert repeat.status_code == 200
    stored.append(await sent(client, bob, chat_["id"], "no client id"))
    assert [e["message"]["id"] for e in events.of("message.new", chat_["id"])] == [
        m["id"] for m in stored
    ]


async def test_refused_sends_publish_nothing(client, ana, bob, cyd, events):
    pair = await direct(client, ana, bob)
    other = await direct(client, ana, cyd)
    lobby = await group(client, cyd, public=True, name="Lobby")
    for chat_ in (pair, other, lobby):
        await events.watch(chat_["id"])
    await sent(client, ana, other["id"], "x", client_id="taken")
    before = len(events.received)

    assert_error(await send(client, ana, pair["id"], "   "), 422)
    assert_error(await send(client, ana, pair["id"], "x" * 4001), 422)
    assert_error(await send(client, ana, pair["id"], "re", reply_to=10**9), 422)
    assert_error(await send(client, ana, pair["id"], "dup", client_id="taken"), 409)
    assert_error(await send(client, cyd, pair["id"], "intruder"), 404)
    assert_error(await send(client, ana, lobby["id"], "not joined"), 403)

    assert events.received[before:] == []


async def test_events_go_to_their_own_chat_only(client, ana, bob, cyd, events):
    watched = await direct(client, ana, bob)
    unwatched = await direct(client, ana, cyd)
    await events.watch(watched["id"])
    quiet = await sent(client, ana, unwatched["id"], "elsewhere")
    assert (await edit(client, ana, quiet["id"], "still elsewhere")).status_code == 200
    assert (await read(client, cyd, unwatched["id"], 1)).status_code == 204
    assert (await delete(client, ana, quiet["id"])).status_code == 204
    assert events.received == []
    await sent(client, bob, watched["id"], "here")
    assert [channel for channel, _ in events.received] == [f"chat:{watched['id']}"]


async def test_edit_and_delete_publish_after_the_change(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    message = await sent(client, ana, chat_["id"], "draft")
    assert (await edit(client, ana, message["id"], "final")).status_code == 200
    assert (await delete(client, ana, message["id"])).status_code == 204
    assert [e["type"] for _, e in events.received] == [
        "message.new",
        "message.updated",
        "message.deleted",
    ]
    assert events.of("message.updated")[0]["message"]["text"] == "final"
    assert events.of("message.deleted")[0] == {
        "type": "message.deleted",
        "chat_id": chat_["id"],
        "message_id": message["id"],
        "seq": message["seq"],
    }
