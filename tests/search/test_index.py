"""The index follows the messages: sends, edits, deletes; system lines are never found."""

from __future__ import annotations

from tests.messages.helpers import delete, direct, edit, group, history, sent
from tests.search.helpers import CROWDED, hit_texts, hits


@CROWDED
async def test_an_edit_is_searched_by_its_new_text_only(client, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], "meeting on tuesday")
    response = await edit(client, ana, message["id"], "meeting on thursday")
    assert response.status_code == 200, response.text
    assert await hit_texts(client, bob, "tuesday") == []
    (hit,) = await hits(client, bob, "thursday")
    assert hit["message"]["id"] == message["id"]
    assert hit["message"]["edited_at"] is not None
    assert hit["snippet"] == "meeting on <mark>thursday</mark>"
    assert await hit_texts(client, bob, "meeting") == ["meeting on thursday"]


async def test_edits_again_and_again_leave_one_entry(client, ana, bob):
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], "draft one")
    for text in ("draft two", "draft three", "draft one"):
        response = await edit(client, ana, message["id"], text)
        assert response.status_code == 200, response.text
    found = await hits(client, bob, "draft")
    assert [h["message"]["id"] for h in found] == [message["id"]]
    assert await hit_texts(client, bob, "three") == []


@CROWDED
async def test_a_deleted_message_is_gone(client, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    gone = await sent(client, ana, chat["id"], "password is hunter2")
    await sent(client, ana, chat["id"], "the password policy")
    response = await delete(client, ana, gone["id"])
    assert response.status_code == 204, response.text
    assert await hit_texts(client, bob, "password") == ["the password policy"]
    assert await hit_texts(client, bob, "hunter2") == []
    tombstone = next(m for m in await history(client, bob, chat["id"]) if m["id"] == gone["id"])
    assert tombstone["deleted"] is True


async def test_an_admin_deleting_someone_elses_message_removes_it_too(client, ana, bob):
    chat = await group(client, ana, bob)
    message = await sent(client, bob, chat["id"], "embarrassing typo")
    response = await delete(client, ana, message["id"])
    assert response.status_code == 204, response.text
    assert await hit_texts(client, bob, "embarrassing") == []


async def test_system_messages_are_not_found(client, ana, bob):
    chat = await group(client, ana, bob, name="Crew")
    lines = [m for m in await history(client, ana, chat["id"]) if m["kind"] == "system"]
    assert lines, "adding a member posts a system message"
    word = lines[0]["text"].split()[0]
    assert await hit_texts(client, ana, word) == []
    await sent(client, ana, chat["id"], f"{word} said hello")
    assert await hit_texts(client, ana, word) == [f"{word} said hello"]


async def test_many_messages_are_all_indexed(client, ana, bob):
    chat = await direct(client, ana, bob)
    for n in range(30):
        await sent(client, ana if n % 2 else bob, chat["id"], f"ticket {n} needs triage")
    assert len(await hits(client, bob, "triage", limit=100)) == 30
    assert await hit_texts(client, bob, "ticket 17") == ["ticket 17 needs triage"]
    assert await hit_texts(client, bob, "17 ticket") == ["ticket 17 needs triage"]
    # A one-character last word is whole: "1" finds ticket 1, not 10 to 19.
    assert await hit_texts(client, bob, "ticket 1") == ["ticket 1 needs triage"]
