"""Whose messages a search sees: only those of the caller's chats, as history would show."""

from __future__ import annotations

from chinwag.search.fulltext import chats_hold_a_tenth
from tests.conftest import assert_error
from tests.messages.helpers import direct, group, sent
from tests.search.helpers import CROWDED, hit_texts, search


@CROWDED
async def test_others_private_chats_never_appear(client, ana, bob, cyd, crowd, crowded):
    if crowded:
        await crowd(200)
    theirs = await group(client, ana, bob, name="Ana and Bob")
    their_direct = await direct(client, ana, bob)
    mine = await direct(client, cyd, ana)
    await sent(client, ana, theirs["id"], "secret roadmap in the group")
    await sent(client, bob, their_direct["id"], "secret roadmap in private")
    await sent(client, cyd, mine["id"], "public roadmap for cyd")
    assert await hit_texts(client, cyd, "roadmap") == ["public roadmap for cyd"]
    assert sorted(await hit_texts(client, bob, "secret roadmap")) == [
        "secret roadmap in private",
        "secret roadmap in the group",
    ]


@CROWDED
async def test_a_public_group_i_have_not_joined_does_not_appear(client, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    room = await group(client, ana, public=True, name="Lobby")
    await sent(client, ana, room["id"], "welcome to the lobby")
    assert await hit_texts(client, bob, "lobby") == []
    joined = await client.post(f"/api/chats/{room['id']}/join", headers=bob.headers)
    assert joined.status_code == 200, joined.text
    assert await hit_texts(client, bob, "lobby") == ["welcome to the lobby"]


@CROWDED
async def test_leaving_a_group_stops_its_results(client, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await group(client, ana, bob)
    await sent(client, ana, chat["id"], "offsite agenda attached")
    assert await hit_texts(client, bob, "agenda") == ["offsite agenda attached"]
    left = await client.post(f"/api/chats/{chat['id']}/leave", headers=bob.headers)
    assert left.status_code == 204, left.text
    assert await hit_texts(client, bob, "agenda") == []
    assert await hit_texts(client, ana, "agenda") == ["offsite agenda attached"]


@CROWDED
async def test_removed_members_and_deleted_groups_stop_their_results(
    client, ana, bob, cyd, crowd, crowded
):
    if crowded:
        await crowd(200)
    chat = await group(client, ana, bob, cyd)
    await sent(client, ana, chat["id"], "budget numbers")
    removed = await client.delete(f"/api/chats/{chat['id']}/members/{cyd.id}", headers=ana.headers)
    assert removed.status_code == 204, removed.text
    assert await hit_texts(client, cyd, "budget") == []
    assert await hit_texts(client, bob, "budget") == ["budget numbers"]
    deleted = await client.delete(f"/api/chats/{chat['id']}", headers=ana.headers)
    assert deleted.status_code == 204, deleted.text
    assert await hit_texts(client, bob, "budget") == []


@CROWDED
async def test_chat_id_keeps_to_one_chat(client, ana, bob, cyd, crowd, crowded):
    if crowded:
        await crowd(200)
    team = await group(client, ana, bob)
    pair = await direct(client, ana, bob)
    await sent(client, ana, team["id"], "release notes for the team")
    await sent(client, ana, pair["id"], "release party for two")
    assert await hit_texts(client, bob, "release", chat_id=team["id"]) == [
        "release notes for the team"
    ]
    assert await hit_texts(client, bob, "release", chat_id=pair["id"]) == ["release party for two"]
    assert len(await hit_texts(client, bob, "release")) == 2


async def test_chat_id_of_a_chat_i_cannot_see_is_not_found(client, ana, bob, cyd):
    private = await group(client, ana, bob)
    await sent(client, ana, private["id"], "hidden words")
    for chat_id in (private["id"], 999_999):
        response = await search(client, cyd, "hidden", chat_id=chat_id)
        assert_error(response, 404, "not_found")
    # Even when the query has nothing to look for, the chat is checked first.
    assert_error(await search(client, cyd, "***", chat_id=private["id"]), 404, "not_found")


async def test_chat_id_of_a_public_group_i_am_not_in_is_forbidden(client, ana, bob):
    room = await group(client, ana, public=True, name="Open room")
    await sent(client, ana, room["id"], "open words")
    response = await search(client, bob, "open", chat_id=room["id"])
    assert_error(response, 403, "not_a_member")


async def test_searching_needs_a_signed_in_caller(client, ana):
    response = await client.get("/api/search", params={"q": "anything"})
    assert_error(response, 401, "not_authenticated")
    bad = await client.get(
        "/api/search", params={"q": "anything"}, headers={"Authorization": "Bearer nope"}
    )
    assert_error(bad, 401)


async def test_someone_in_no_chat_finds_nothing(client, ana, bob, signup):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "anything at all")
    loner = await signup("loner")
    assert await hit_texts(client, loner, "anything") == []


async def test_a_crowd_makes_my_chats_hold_little_of_the_history(client, ctx, ana, bob, crowd):
    chat = await direct(client, ana, bob)
    for n in range(5):
        await sent(client, ana, chat["id"], f"mine {n}")
    assert await ctx.db.read(chats_hold_a_tenth, [chat["id"]])
    await crowd(100)
    assert not await ctx.db.read(chats_hold_a_tenth, [chat["id"]])
