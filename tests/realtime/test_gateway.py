"""The WebSocket protocol on one process: ready, send/ack/message.new, typing, read, ping."""

import pytest

from chinwag.client import ChinwagAPIError


@pytest.fixture
async def trio(people, live):
    ana, bob, cyd = await people("ana", "bob", "cyd")
    import httpx

    async with httpx.AsyncClient(base_url=live.url) as http:
        response = await http.post(
            "/api/chats", headers=ana.headers, json={"name": "Team", "member_ids": [bob.id]}
        )
    return ana, bob, cyd, response.json()


def of_type(kind, **fields):
    return lambda e: e["type"] == kind and all(e.get(k) == v for k, v in fields.items())


async def test_ready_comes_first_with_chats_and_online(trio, connect):
    ana, bob, _, chat = trio
    first = await connect(bob)
    second = await connect(ana)
    assert second.ready["type"] == "ready"
    assert second.ready["user"]["id"] == ana.id
    [entry] = second.ready["chats"]
    assert entry["id"] == chat["id"] and entry["last_seq"] == chat["last_seq"]
    assert {"last_read_seq", "unread", "kind", "name"} <= set(entry)
    assert second.ready["online"] == [bob.id]
    assert first.ready["online"] == []


async def test_send_acks_the_sender_and_reaches_every_member_device(trio, connect):
    ana, bob, cyd, chat = trio
    ana_phone, ana_laptop, bob_phone, cyd_phone = [await connect(p) for p in (ana, ana, bob, cyd)]
    message = await ana_phone.send(chat["id"], "hello all", client_id="m-1")
    assert message["text"] == "hello all" and message["client_id"] == "m-1"
    for device in (ana_phone, ana_laptop, bob_phone):
        event = await device.wait_for(of_type("message.new"))
        assert event["message"]["id"] == message["id"]
    # cyd is not a member: a later event to cyd proves nothing of the chat reached them
    await cyd_phone.frame({"type": "ping"})
    await cyd_phone.wait_for(of_type("pong"))
    assert not [e for e in cyd_phone.events if e["type"] == "message.new"]


async def test_repeated_client_id_acks_the_original(trio, connect):
    ana, _, _, chat = trio
    phone = await connect(ana)
    first = await phone.send(chat["id"], "once", client_id="same")
    again = await phone.send(chat["id"], "twice?", client_id="same")
    assert again["id"] == first["id"] and again["text"] == "once"
    news = [e for e in phone.events if e["type"] == "message.new"]
    assert len(news) == 1


async def test_typing_reaches_the_other_members_only(trio, connect):
    ana, bob, _, chat = trio
    ana_socket, bob_socket = await connect(ana), await connect(bob)
    await ana_socket.frame({"type": "typing", "chat_id": chat["id"]})
    event = await bob_socket.wait_for(of_type("typing"))
    assert event == {"type": "typing", "chat_id": chat["id"], "user_id": ana.id}
    await ana_socket.frame({"type": "ping"})
    await ana_socket.wait_for(of_type("pong"))
    await ana_socket.send(chat["id"], "barrier")  # after the typing event on the same channel
    await ana_socket.wait_for(of_type("message.new"))
    assert not [e for e in ana_socket.events if e["type"] == "typing"]


async def test_typing_again_right_after_a_send_is_told(trio, connect):
    # The message clears "is typing" on bob's side; the next message's typing must show,
    # though it comes within the 3 s that throttle typing.
    ana, bob, _, chat = trio
    ana_socket, bob_socket = await connect(ana), await connect(bob)
    await ana_socket.frame({"type": "typing", "chat_id": chat["id"]})
    await bob_socket.wait_for(of_type("typing"))
    await ana_socket.frame({"type": "typing", "chat_id": chat["id"]})  # throttled: no news
    message = await ana_socket.send(chat["id"], "first")
    await bob_socket.wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["id"] == message["id"]
    )
    await ana_socket.frame({"type": "typing", "chat_id": chat["id"]})

    def typings() -> list[dict]:
        return [e for e in bob_socket.events if e["type"] == "typing"]

    await bob_socket.wait_for(lambda e: e["type"] == "typing" and len(typings()) == 2)
    assert len(typings()) == 2
    kinds = [e["type"] for e in bob_socket.events if e["type"] in ("typing", "message.new")]
    assert kinds == ["typing", "message.new", "typing"]


async def test_read_moves_the_pointer_and_tells_members(trio, connect):
    ana, bob, _, chat = trio
    ana_socket, bob_socket = await connect(ana), await connect(bob)
    message = await ana_socket.send(chat["id"], "read me")
    await bob_socket.frame({"type": "read", "chat_id": chat["id"], "seq": message["seq"]})
    event = await ana_socket.wait_for(of_type("read", user_id=bob.id))
    assert event == {
        "type": "read",
        "chat_id": chat["id"],
        "user_id": bob.id,
        "seq": message["seq"],
    }


async def test_ping_pong(trio, connect):
    socket = await connect(trio[0])
    await socket.frame({"type": "ping"})
    assert await socket.wait_for(of_type("pong")) == {"type": "pong"}


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "invalid_json"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": ["ping"]}', "unknown_type"),
        ('{"type": {"a": 1}}', "unknown_type"),
        ("[" * 30_000 + "]" * 30_000, "invalid_json"),  # nesting past the parser's depth
        ('{"type": "ping", "n": ' + "9" * 5000 + "}", "invalid_json"),  # past int's digits
        (
            '{"type": "message.send", "chat_id": 1, "text": "", "client_id": "x"}',
            "validation_error",
        ),
        (
            '{"type": "message.send", "chat_id": "one", "text": "hi", "client_id": "x"}',
            "validation_error",
        ),
        ('{"type": "read", "chat_id": 1}', "validation_error"),
        ('{"type": "typing", "chat_id": 999999}', "not_found"),
        (
            '{"type": "message.send", "chat_id": 999999, "text": "hi", "client_id": "y"}',
            "not_found",
        ),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(trio, connect, frame, code):
    socket = await connect(trio[0])
    await socket._socket.send(frame)
    error = await socket.wait_for(of_type("error"))
    assert error["code"] == code
    await socket.frame({"type": "ping"})
    await socket.wait_for(of_type("pong"))


async def test_non_member_send_is_refused(trio, connect):
    _, _, cyd, chat = trio
    socket = await connect(cyd)
    with pytest.raises(ChinwagAPIError) as refused:
        await socket.send(chat["id"], "let me in")
    assert refused.value.code == "not_found"


async def test_frames_take_json_types_only(trio, connect, http):
    ana, bob, _, chat = trio
    ana_socket, bob_socket = await connect(ana), await connect(bob)
    await ana_socket.send(chat["id"], "one")
    before = (await http.get(f"/api/chats/{chat['id']}", headers=bob.headers)).json()
    assert before["last_read_seq"] < before["last_seq"]
    lax = [
        {"type": "read", "chat_id": chat["id"], "seq": True},  # was read as seq 1
        {"type": "read", "chat_id": chat["id"], "seq": "1"},
        {"type": "read", "chat_id": chat["id"], "seq": 1.0},
        {"type": "typing", "chat_id": str(chat["id"])},
        {"type": "message.send", "chat_id": str(chat["id"]), "text": "hi", "client_id": "a"},
        {"type": "message.send", "chat_id": chat["id"], "text": 5, "client_id": "b"},
        {"type": "message.send", "chat_id": chat["id"], "text": "hi", "client_id": 7},
    ]
    for count, frame in enumerate(lax, start=1):
        await bob_socket.frame(frame)
        await bob_socket.wait_for(lambda e, n=count: _errors(bob_socket) >= n)
    assert {e["code"] for e in bob_socket.events if e["type"] == "error"} == {"validation_error"}
    # The socket is still open, and nothing of the refused frames was done.
    await bob_socket.frame({"type": "ping"})
    await bob_socket.wait_for(of_type("pong"))
    after = (await http.get(f"/api/chats/{chat['id']}", headers=bob.headers)).json()
    assert (after["last_read_seq"], after["last_seq"]) == (
        before["last_read_seq"],
        before["last_seq"],
    )
    assert not [e for e in ana_socket.events if e["type"] in ("read", "typing")]


def _errors(client) -> int:
    return sum(e["type"] == "error" for e in client.events)
