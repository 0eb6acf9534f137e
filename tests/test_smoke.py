"""The happy path across domains, as a first check that the app hangs together."""

from tests.conftest import assert_error


async def test_group_conversation(client, ana, bob):
    created = await client.post(
        "/api/chats", headers=ana.headers, json={"name": "Team", "member_ids": [bob.id]}
    )
    assert created.status_code == 201, created.text
    chat = created.json()
    assert chat["role"] == "owner" and chat["member_count"] == 2

    sent = await client.post(
        f"/api/chats/{chat['id']}/messages",
        headers=bob.headers,
        json={"text": "  hello  ", "client_id": "c1"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["text"] == "hello"

    chats = (await client.get("/api/chats", headers=ana.headers)).json()
    assert chats[0]["unread"] == 1
    assert chats[0]["last_message"]["text"] == "hello"

    history = (await client.get(f"/api/chats/{chat['id']}/messages", headers=ana.headers)).json()
    assert [m["kind"] for m in history] == ["system", "system", "text"]
    assert [m["seq"] for m in history] == [1, 2, 3]


async def test_unknown_route_is_json_error(client):
    assert_error(await client.get("/api/nope"), 404, "not_found")
