"""Message and read-pointer bodies take JSON's own types only: `true` is no seq."""

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import direct, history, listed, send, sent


@pytest.mark.parametrize("seq", [True, "1", 1.0])
async def test_read_needs_an_integer_seq(client, ana, bob, seq):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "one")
    url = f"/api/chats/{chat['id']}/read"
    error = assert_error(await client.post(url, headers=bob.headers, json={"seq": seq}), 422)
    assert "seq" in error["message"]
    assert (await listed(client, bob, chat["id"]))["last_read_seq"] == 0


async def test_unread_needs_an_integer_seq(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "one")
    url = f"/api/chats/{chat['id']}/unread"
    assert_error(await client.post(url, headers=bob.headers, json={"seq": True}), 422)


@pytest.mark.parametrize(
    "extra",
    [{"client_id": 5}, {"reply_to": True}, {"reply_to": "1"}, {"attachment_ids": ["1"]}],
)
async def test_send_refuses_lax_types(client, ana, bob, extra):
    chat = await direct(client, ana, bob)
    if "reply_to" in extra:
        await sent(client, ana, chat["id"], "quoted")  # message 1 exists: `true` could be it
    before = await history(client, ana, chat["id"])
    assert_error(await send(client, ana, chat["id"], "hi", **extra), 422, "validation_error")
    assert await history(client, ana, chat["id"]) == before


async def test_edit_refuses_a_number_for_text(client, ana, bob):
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], "hello")
    url = f"/api/messages/{message['id']}"
    assert_error(await client.patch(url, headers=ana.headers, json={"text": 12}), 422)
    [kept] = await history(client, ana, chat["id"])
    assert kept["text"] == "hello"
