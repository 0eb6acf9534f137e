"""Edit history: every edit keeps the version it replaced; members read the versions, newest
first, with their times; deleting the message deletes them."""

from __future__ import annotations

import asyncio
import itertools
from datetime import datetime

from sqlalchemy import func, select

from chinwag.admin import store as admin_store
from chinwag.messages.models import MessageEdit
from tests.conftest import assert_error
from tests.messages.helpers import delete, direct, edit, group, sent
from tests.realtime.helpers import call

VERSION_KEYS = {"id", "current", "text", "html", "written_at", "replaced_at", "replaced_by"}


def versions_of(client, person, message_id: int, **params):
    return client.get(f"/api/messages/{message_id}/edits", headers=person.headers, params=params)


async def versions(client, person, message_id: int, **params) -> list[dict]:
    response = await versions_of(client, person, message_id, **params)
    assert response.status_code == 200, response.text
    return response.json()


def when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _kept_rows(db, message_id: int) -> int:
    return db.scalar(select(func.count()).where(MessageEdit.message_id == message_id))


async def kept_rows(ctx, message_id: int) -> int:
    """The message's rows in message_edits, counted in the table itself."""
    return await ctx.db.read(_kept_rows, message_id)


async def edited(client, person, message_id: int, text: str) -> dict:
    response = await edit(client, person, message_id, text)
    assert response.status_code == 200, response.text
    return response.json()


async def test_two_edits_keep_two_versions_newest_first_with_their_times(client, ana, bob):
    team = await group(client, ana, bob)
    original = await sent(client, bob, team["id"], "the plan is **friday**")
    first = await edited(client, bob, original["id"], "the plan is **saturday**")
    second = await edited(client, bob, original["id"], "the plan is sunday")

    # Another member reads them: what it says now first, then each earlier version.
    listed = await versions(client, ana, original["id"])

    assert [v["text"] for v in listed] == [
        "the plan is sunday",
        "the plan is **saturday**",
        "the plan is **friday**",
    ]
    assert all(set(v) == VERSION_KEYS for v in listed)
    now, middle, oldest = listed
    assert now["current"] is True and now["id"] is None
    assert now["html"] == second["html"]
    assert when(now["written_at"]) == when(second["edited_at"])
    assert now["replaced_at"] is None and now["replaced_by"] is None
    # Each kept version: written when it was sent or edited, replaced by the next edit.
    assert middle["current"] is False and oldest["current"] is False
    assert middle["html"] == first["html"] and "<strong>saturday</strong>" in middle["html"]
    assert oldest["html"] == original["html"] and "<strong>friday</strong>" in oldest["html"]
    assert when(oldest["written_at"]) == when(original["created_at"])
    assert when(oldest["replaced_at"]) == when(first["edited_at"])
    assert when(middle["written_at"]) == when(first["edited_at"])
    assert when(middle["replaced_at"]) == when(second["edited_at"])
    assert oldest["replaced_by"] == middle["replaced_by"] == bob.id
    assert middle["id"] > oldest["id"]
    # The sender reads the same.
    assert await versions(client, bob, original["id"]) == listed


async def test_a_message_never_edited_has_only_its_current_version(client, ana, bob):
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], "as sent")
    [only] = await versions(client, bob, message["id"])
    assert only["current"] is True and only["text"] == "as sent"
    assert when(only["written_at"]) == when(message["created_at"])


async def test_the_same_text_again_keeps_no_version_and_changes_nothing(client, ctx, ana, bob):
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], "unchanged")
    again = await edited(client, ana, message["id"], "  unchanged ")
    assert again["edited_at"] is None
    assert await kept_rows(ctx, message["id"]) == 0
    assert len(await versions(client, bob, message["id"])) == 1


async def test_versions_page_back_with_limit_and_before(client, ana, bob):
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], "v0")
    for n in range(1, 5):
        await edited(client, ana, message["id"], f"v{n}")

    first = await versions(client, bob, message["id"], limit=2)
    assert [v["text"] for v in first] == ["v4", "v3"]
    rest = await versions(client, bob, message["id"], limit=2, before=first[-1]["id"])
    assert [v["text"] for v in rest] == ["v2", "v1"]
    last = await versions(client, bob, message["id"], before=rest[-1]["id"])
    assert [v["text"] for v in last] == ["v0"]
    assert_error(await versions_of(client, bob, message["id"], limit=101), 422)


async def test_people_outside_the_chat_get_what_history_gives_them(client, ana, bob, cyd):
    private = await group(client, ana, bob)
    secret = await sent(client, bob, private["id"], "between us")
    await edited(client, bob, secret["id"], "between us two")
    public = await group(client, ana, bob, public=True, name="Lobby")
    open_ = await sent(client, bob, public["id"], "hello all")

    # A private chat's message is not there for others; a public group's asks them to join,
    # as the chat's history does.
    assert_error(await versions_of(client, cyd, secret["id"]), 404, "not_found")
    assert_error(await versions_of(client, cyd, open_["id"]), 403, "not_a_member")
    assert_error(await versions_of(client, cyd, secret["id"] + 1000), 404, "not_found")
    response = await client.get(f"/api/messages/{secret['id']}/edits")
    assert response.status_code == 401


async def test_deleting_the_message_deletes_its_history(client, ctx, ana, bob):
    chat = await direct(client, ana, bob)
    message = await sent(client, bob, chat["id"], "first words")
    await edited(client, bob, message["id"], "second words")
    await edited(client, bob, message["id"], "third words")
    assert await kept_rows(ctx, message["id"]) == 2

    assert (await delete(client, bob, message["id"])).status_code == 204

    assert await kept_rows(ctx, message["id"]) == 0
    for person in (ana, bob):
        assert_error(await versions_of(client, person, message["id"]), 404, "not_found")


async def test_a_group_admin_deleting_someone_elses_message_deletes_its_history(
    client, ctx, ana, bob
):
    team = await group(client, ana, bob)  # ana owns it
    message = await sent(client, bob, team["id"], "draft")
    await edited(client, bob, message["id"], "final")
    assert (await delete(client, ana, message["id"])).status_code == 204
    assert await kept_rows(ctx, message["id"]) == 0
    assert_error(await versions_of(client, bob, message["id"]), 404, "not_found")


async def test_a_message_deleted_from_the_review_queue_loses_its_history(
    client, ctx, signup, ana, bob
):
    moderator = await signup("boss")
    await ctx.db.write(lambda db: admin_store.set_flags(db, moderator.id, is_site_admin=True))
    chat = await direct(client, ana, bob)
    message = await sent(client, bob, chat["id"], "rude")
    await edited(client, bob, message["id"], "ruder")
    report = await call(
        client, ana, "POST", f"/api/messages/{message['id']}/report", 201, json={"reason": "rude"}
    )
    await call(
        client,
        moderator,
        "POST",
        f"/api/admin/reports/{report['id']}/resolve",
        json={"action": "delete_message"},
    )
    assert await kept_rows(ctx, message["id"]) == 0
    assert_error(await versions_of(client, ana, message["id"]), 404, "not_found")


EDITS = 12


async def test_edits_at_the_same_moment_each_keep_the_version_they_replaced(client, ctx, ana, bob):
    chat = await direct(client, ana, bob)
    message = await sent(client, ana, chat["id"], "v0")

    responses = await asyncio.gather(
        *(edit(client, ana, message["id"], f"v{n}") for n in range(1, EDITS + 1))
    )

    assert [r.status_code for r in responses] == [200] * EDITS
    listed = await versions(client, bob, message["id"])
    texts = [v["text"] for v in listed]
    # One chain: every text once (none kept twice, none lost), the original last, and each
    # kept version replaced when the next one was written.
    assert sorted(texts) == sorted(f"v{n}" for n in range(EDITS + 1))
    assert texts[-1] == "v0"
    for newer, older in itertools.pairwise(listed):
        assert when(older["replaced_at"]) == when(newer["written_at"])
    assert await kept_rows(ctx, message["id"]) == EDITS


async def test_an_edit_and_a_delete_at_the_same_moment_leave_no_history(client, ctx, ana, bob):
    chat = await direct(client, ana, bob)
    for round_ in range(5):
        message = await sent(client, ana, chat["id"], f"round {round_}")
        edited_, deleted = await asyncio.gather(
            edit(client, ana, message["id"], f"round {round_}, edited"),
            delete(client, ana, message["id"]),
        )
        assert edited_.status_code in (200, 409), edited_.text
        assert deleted.status_code == 204, deleted.text
        assert await kept_rows(ctx, message["id"]) == 0
