"""Group direct messages: 3 to 9 people, one chat per set of people whoever asks and in any
order (concurrent asks included), named by their people, closed to group changes, seen by
their members only."""

from __future__ import annotations

import pytest

from chinwag.chats.group_dms import group_dm_key
from tests.chats.helpers import at_once, my_chat_ids, roles
from tests.conftest import assert_error


def open_with(client, me, *others, ids=None):
    body = {"user_ids": ids if ids is not None else [p.id for p in others]}
    return client.post("/api/chats/direct", headers=me.headers, json=body)


async def group_dm(client, me, *others) -> dict:
    response = await open_with(client, me, *others)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def test_three_people_make_a_group_dm_with_201(client, ana, bob, cyd):
    response = await open_with(client, ana, bob, cyd)
    assert response.status_code == 201, response.text
    chat = response.json()
    assert chat["kind"] == "group_dm"
    assert chat["is_public"] is False
    assert chat["member_count"] == 3
    assert chat["role"] == "member"
    assert chat["peer"] is None
    assert sorted(m["id"] for m in chat["members"]) == sorted([ana.id, bob.id, cyd.id])
    assert await roles(client, ana, chat["id"]) == {p.id: "member" for p in (ana, bob, cyd)}


async def test_named_by_the_other_members_for_each_of_them(client, ana, bob, cyd):
    renamed = await client.patch(
        "/api/users/me", headers=cyd.headers, json={"display_name": "Cy Twombly"}
    )
    assert renamed.status_code == 200, renamed.text
    chat = await group_dm(client, ana, bob, cyd)
    assert chat["name"] == "bob, Cy Twombly"
    as_bob = (await client.get(f"/api/chats/{chat['id']}", headers=bob.headers)).json()
    assert as_bob["name"] == "ana, Cy Twombly"
    listed = (await client.get("/api/chats", headers=cyd.headers)).json()
    assert [(c["id"], c["name"]) for c in listed] == [(chat["id"], "ana, bob")]


async def test_the_same_set_in_any_order_by_anyone_is_the_same_chat(client, ana, bob, cyd):
    first = await group_dm(client, ana, bob, cyd)
    for me, others in [(ana, (cyd, bob)), (bob, (ana, cyd)), (cyd, (bob, ana))]:
        again = await open_with(client, me, *others)
        assert again.status_code == 200, again.text
        assert again.json()["id"] == first["id"]
    # naming myself among the people changes nothing
    with_me = await open_with(client, ana, ids=[ana.id, bob.id, cyd.id, bob.id])
    assert with_me.status_code == 200 and with_me.json()["id"] == first["id"]
    for person in (ana, bob, cyd):
        assert await my_chat_ids(client, person) == [first["id"]]


async def test_another_set_is_another_chat(client, ana, bob, cyd, dan):
    three = await group_dm(client, ana, bob, cyd)
    four = await open_with(client, ana, bob, cyd, dan)
    assert four.status_code == 201, four.text
    other_three = await open_with(client, ana, bob, dan)
    assert other_three.status_code == 201, other_three.text
    assert len({three["id"], four.json()["id"], other_three.json()["id"]}) == 3
    # and a pair among them keeps its own direct chat
    pair = await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    assert pair.status_code == 201 and pair.json()["kind"] == "direct"


async def test_two_people_take_the_direct_chat_path(client, ana, bob):
    by_list = await open_with(client, ana, bob)
    assert by_list.status_code == 201, by_list.text
    chat = by_list.json()
    assert chat["kind"] == "direct" and chat["peer"]["id"] == bob.id and chat["members"] is None
    by_id = await client.post("/api/chats/direct", headers=ana.headers, json={"user_id": bob.id})
    assert by_id.status_code == 200 and by_id.json()["id"] == chat["id"]


async def test_nobody_else_is_400(client, ana):
    assert_error(await open_with(client, ana, ids=[ana.id]), 400, "direct_self")
    assert_error(await open_with(client, ana, ids=[]), 400, "direct_self")


async def test_nine_people_are_fine_and_ten_are_422(client, ana, signup):
    others = [await signup() for _ in range(9)]
    nine = await open_with(client, ana, *others[:8])
    assert nine.status_code == 201, nine.text
    assert nine.json()["member_count"] == 9
    body = assert_error(await open_with(client, ana, *others), 422, "too_many_people")
    assert body["max_people"] == 9
    assert await my_chat_ids(client, ana) == [nine.json()["id"]]


async def test_unknown_or_deactivated_people_are_404(client, ctx, ana, bob, cyd):
    assert_error(await open_with(client, ana, ids=[bob.id, 999999]), 404)
    await ctx.db.write(lambda db: db.execute(_deactivate(cyd.id)))
    assert_error(await open_with(client, ana, bob, cyd), 404)
    assert await my_chat_ids(client, ana) == []
    assert await my_chat_ids(client, bob) == []


def _deactivate(user_id: int):
    from sqlalchemy import update

    from chinwag.accounts.models import User

    return update(User).where(User.id == user_id).values(is_active=False)


@pytest.mark.parametrize(
    "body",
    [
        {"user_ids": [0, 2]},
        {"user_ids": "abc"},
        {"user_ids": None},
        {"user_id": 2, "user_ids": [3, 4]},
        {},
    ],
)
async def test_invalid_bodies_are_422(client, ana, body):
    response = await client.post("/api/chats/direct", headers=ana.headers, json=body)
    assert_error(response, 422, "validation_error")


async def test_concurrent_asks_for_one_set_yield_one_chat(client, ana, bob, cyd):
    asks = [(ana, (bob, cyd)), (bob, (cyd, ana)), (cyd, (ana, bob))] * 3
    responses = await at_once(*[open_with(client, me, *others) for me, others in asks])
    assert all(r.status_code in (200, 201) for r in responses), [r.text for r in responses]
    assert [r.status_code for r in responses].count(201) == 1
    assert len({r.json()["id"] for r in responses}) == 1
    for person in (ana, bob, cyd):
        assert len(await my_chat_ids(client, person)) == 1


def test_the_key_names_the_set_not_its_order():
    assert group_dm_key({3, 1, 2}) == group_dm_key({2, 3, 1})
    assert group_dm_key({1, 2, 3}) != group_dm_key({1, 2, 4})
    assert len(group_dm_key(set(range(2**31 - 10, 2**31 - 1)))) <= 32


# --- no roles, no changes, members only -------------------------------------------------


@pytest.fixture
async def trio(client, ana, bob, cyd) -> dict:
    return await group_dm(client, ana, bob, cyd)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("PATCH", "", {"name": "Ours"}),
        ("PATCH", "", {"description": "about"}),
        ("POST", "/members", {"user_ids": ["dan"]}),
        ("DELETE", "/members/bob", None),
        ("PATCH", "/members/bob", {"role": "admin"}),
        ("POST", "/leave", None),
        ("DELETE", "", None),
    ],
)
async def test_group_changes_are_refused(client, ana, bob, cyd, dan, trio, method, path, body):
    ids = {"dan": dan.id, "bob": bob.id}
    path = path.replace("bob", str(bob.id))
    if body and body.get("user_ids"):
        body = {"user_ids": [ids[name] for name in body["user_ids"]]}
    response = await client.request(
        method, f"/api/chats/{trio['id']}{path}", headers=ana.headers, json=body
    )
    assert_error(response, 400, "direct_chat")
    assert await roles(client, ana, trio["id"]) == {p.id: "member" for p in (ana, bob, cyd)}
    assert (await client.get(f"/api/chats/{trio['id']}", headers=ana.headers)).json()[
        "name"
    ] == "bob, cyd"


async def test_outsiders_see_nothing_of_it(client, dan, trio):
    assert_error(await client.get(f"/api/chats/{trio['id']}", headers=dan.headers), 404)
    assert_error(await client.get(f"/api/chats/{trio['id']}/messages", headers=dan.headers), 404)
    assert_error(await client.post(f"/api/chats/{trio['id']}/join", headers=dan.headers), 404)
    sent = await client.post(
        f"/api/chats/{trio['id']}/messages", headers=dan.headers, json={"text": "hi"}
    )
    assert_error(sent, 404)
    assert await my_chat_ids(client, dan) == []
    found = (await client.get("/api/chats/discover", headers=dan.headers)).json()
    assert trio["id"] not in [c["id"] for c in found]


async def test_messages_are_read_and_found_by_members_only(client, ana, bob, cyd, dan, trio):
    sent = await client.post(
        f"/api/chats/{trio['id']}/messages", headers=bob.headers, json={"text": "zanzibar plan"}
    )
    assert sent.status_code == 201, sent.text
    for person in (ana, cyd):
        listed = (await client.get("/api/chats", headers=person.headers)).json()
        assert [(c["id"], c["unread"]) for c in listed] == [(trio["id"], 1)]
        found = await client.get("/api/search", headers=person.headers, params={"q": "zanzibar"})
        assert [h["chat_id"] for h in found.json()] == [trio["id"]], found.text
    found = await client.get("/api/search", headers=dan.headers, params={"q": "zanzibar"})
    assert found.status_code == 200 and found.json() == []
    scoped = await client.get(
        "/api/search", headers=dan.headers, params={"q": "zanzibar", "chat_id": trio["id"]}
    )
    assert_error(scoped, 404)


async def test_mentions_reactions_and_reads_work_as_in_any_chat(client, ana, bob, cyd, trio):
    sent = await client.post(
        f"/api/chats/{trio['id']}/messages", headers=ana.headers, json={"text": "@cyd look"}
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    as_cyd = (await client.get(f"/api/chats/{trio['id']}", headers=cyd.headers)).json()
    assert (as_cyd["unread"], as_cyd["unread_mentions"]) == (1, 1)
    reacted = await client.put(f"/api/messages/{message['id']}/reactions/👍", headers=bob.headers)
    assert reacted.status_code == 204, reacted.text
    for reader in (bob, cyd):
        read = await client.post(
            f"/api/chats/{trio['id']}/read", headers=reader.headers, json={"seq": message["seq"]}
        )
        assert read.status_code == 204, read.text
    [seen] = (await client.get(f"/api/chats/{trio['id']}/messages", headers=ana.headers)).json()
    assert seen["is_read"] is True
    assert [r["emoji"] for r in seen["reactions"]] == ["👍"], seen
