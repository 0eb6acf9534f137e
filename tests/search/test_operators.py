"""Search operators on SQLite and PostgreSQL: each alone and with words, several of one, the
day boundaries in the caller's time zone, the chats a caller may not read, and the 422s."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from chinwag.messages.models import Message
from tests.conftest import assert_error
from tests.files.helpers import uploaded
from tests.messages.helpers import direct, group, sent
from tests.search.helpers import CROWDED, hit_texts, search


async def _at(ctx, message: dict, moment: datetime) -> None:
    def move(db) -> None:
        db.execute(update(Message).where(Message.id == message["id"]).values(created_at=moment))

    await ctx.db.write(move)


async def _with_file(client, person, chat_id: int, text: str) -> dict:
    stored = await uploaded(client, person, b"report body", "report.txt", "text/plain")
    return await sent(client, person, chat_id, text, attachment_ids=[stored["id"]])


@CROWDED
async def test_from_alone_with_words_and_several(client, ana, bob, cyd, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await group(client, ana, bob, cyd)
    await sent(client, ana, chat["id"], "ana on the deploy")
    await sent(client, bob, chat["id"], "bob on the deploy")
    await sent(client, cyd, chat["id"], "cyd says hi")
    assert await hit_texts(client, cyd, f"from:@{ana.username}") == ["ana on the deploy"]
    assert await hit_texts(client, cyd, f"deploy from:{bob.username.upper()}") == [
        "bob on the deploy"
    ]
    both = f"from:@{ana.username} from:@{bob.username} deploy"
    assert sorted(await hit_texts(client, cyd, both)) == ["ana on the deploy", "bob on the deploy"]
    assert await hit_texts(client, cyd, "from:me") == ["cyd says hi"]
    # words and filters both apply; nobody by that name: no hits, not an error
    assert await hit_texts(client, cyd, f"hi from:@{ana.username}") == []
    assert await hit_texts(client, cyd, "from:@nobody_here deploy") == []


async def test_operators_alone_list_newest_first(client, ana, bob):
    chat = await direct(client, ana, bob)
    for n in range(3):
        await sent(client, ana, chat["id"], f"note {n}")
    assert await hit_texts(client, bob, f"from:@{ana.username}") == ["note 2", "note 1", "note 0"]
    # paging with before: the id of the last hit
    first = (await search(client, bob, f"from:@{ana.username}", limit=2)).json()
    assert [h["message"]["text"] for h in first] == ["note 2", "note 1"]
    assert first[0]["snippet"] == "note 2"  # no words: the snippet is how the message starts
    rest = await hit_texts(client, bob, f"from:@{ana.username}", before=first[-1]["message"]["id"])
    assert rest == ["note 0"]


async def test_in_a_group_by_name_and_a_direct_chat_by_person(client, ana, bob, cyd):
    design = await group(client, ana, bob, name="Design Team")
    ops = await group(client, ana, bob, name="ops")
    with_cyd = await direct(client, ana, cyd)
    await sent(client, ana, design["id"], "mockups in design")
    await sent(client, ana, ops["id"], "mockups in ops")
    await sent(client, ana, with_cyd["id"], "mockups for cyd")
    assert await hit_texts(client, ana, 'mockups in:"design team"') == ["mockups in design"]
    assert await hit_texts(client, ana, "in:#OPS") == ["mockups in ops"]
    assert sorted(await hit_texts(client, ana, "mockups in:#ops in:#design")) == ["mockups in ops"]
    assert sorted(await hit_texts(client, ana, 'in:#ops in:#"design team"')) == [
        "mockups in design",
        "mockups in ops",
    ]
    assert await hit_texts(client, ana, f"in:@{cyd.username}") == ["mockups for cyd"]
    assert await hit_texts(client, ana, "in:#nowhere mockups") == []


async def test_in_a_group_i_am_not_in_finds_nothing(client, ana, bob, cyd):
    secret = await group(client, ana, bob, name="secret")
    public = await group(client, ana, bob, public=True, name="lobby")
    await sent(client, ana, secret["id"], "the plan is ready")
    await sent(client, ana, public["id"], "the plan in public")
    assert await hit_texts(client, cyd, "in:#secret") == []
    assert await hit_texts(client, cyd, "plan in:#secret") == []
    assert await hit_texts(client, cyd, "in:#lobby plan") == []  # public, but not joined
    assert await hit_texts(client, cyd, f"from:@{ana.username}") == []
    assert await hit_texts(client, cyd, f"in:@{ana.username}") == []  # no chat with ana


async def test_in_and_chat_id_both_apply(client, ana, bob):
    one = await group(client, ana, bob, name="one")
    two = await group(client, ana, bob, name="two")
    await sent(client, ana, one["id"], "agenda one")
    await sent(client, ana, two["id"], "agenda two")
    assert await hit_texts(client, ana, "agenda in:#one", chat_id=two["id"]) == []
    assert await hit_texts(client, ana, "agenda in:#one", chat_id=one["id"]) == ["agenda one"]


@CROWDED
async def test_has_file_and_has_link(client, ctx, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    await _with_file(client, ana, chat["id"], "the report attached")
    await _with_file(client, bob, chat["id"], "")  # a file without text
    await sent(client, ana, chat["id"], "the report is at https://example.com/report")
    await sent(client, ana, chat["id"], "see [the report](HTTP://example.org)")
    await sent(client, ana, chat["id"], "the report on example.com")  # linkify makes it a link
    await sent(client, ana, chat["id"], "the report, no link: mail ana@example.com")
    await sent(client, ana, chat["id"], 'the report <a href="http">')  # escaped: no link
    assert sorted(await hit_texts(client, bob, "has:file")) == ["", "the report attached"]
    assert await hit_texts(client, bob, f"from:@{ana.username} has:file") == ["the report attached"]
    assert await hit_texts(client, bob, "report has:file") == ["the report attached"]
    assert sorted(await hit_texts(client, bob, "report has:link")) == [
        "see [the report](HTTP://example.org)",
        "the report is at https://example.com/report",
        "the report on example.com",
    ]
    assert await hit_texts(client, bob, "has:link has:file") == []


async def test_days_in_the_callers_time_zone(client, ctx, ana, bob):
    chat = await direct(client, ana, bob)
    moments = {
        "late on the 9th": datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC),
        "early on the 10th": datetime(2026, 3, 10, 0, 0, tzinfo=UTC),
        "late on the 10th": datetime(2026, 3, 10, 23, 59, 59, 999000, tzinfo=UTC),
        "early on the 11th": datetime(2026, 3, 11, 0, 0, tzinfo=UTC),
    }
    for text, moment in moments.items():
        await _at(ctx, await sent(client, ana, chat["id"], f"status {text}"), moment)

    async def found(q: str) -> list[str]:
        return sorted(t.removeprefix("status ") for t in await hit_texts(client, bob, q))

    assert await found("status on:2026-03-10") == ["early on the 10th", "late on the 10th"]
    assert await found("before:2026-03-10") == ["late on the 9th"]  # exclusive
    assert await found("status after:2026-03-10") == ["early on the 11th"]  # exclusive
    assert await found("after:2026-03-09 before:2026-03-11") == [
        "early on the 10th",
        "late on the 10th",
    ]
    assert await found("after:2026-03-10 before:2026-03-10") == []
    assert await found("on:2026-03-10 on:2026-03-11") == []
    # Bob's profile in Tokyo (UTC+9): his 10 March is 15:00 on the 9th to 15:00 on the 10th UTC
    patched = await client.patch(
        "/api/users/me", headers=bob.headers, json={"settings": {"timezone": "Asia/Tokyo"}}
    )
    assert patched.status_code == 200, patched.text
    assert await found("on:2026-03-10") == ["early on the 10th", "late on the 9th"]
    assert await found("on:2026-03-11") == ["early on the 11th", "late on the 10th"]


@pytest.mark.parametrize(
    "q", ["on:0001-01-01", "before:0001-01-01", "after:9999-12-31", "on:9999-12-31 hello"]
)
async def test_days_at_the_ends_of_the_calendar_find_nothing(client, ana, bob, q):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "hello")
    for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
        patched = await client.patch(
            "/api/users/me", headers=bob.headers, json={"settings": {"timezone": zone}}
        )
        assert patched.status_code == 200, patched.text
        assert await hit_texts(client, bob, q) == [], (q, zone)
    assert await hit_texts(client, bob, "after:0001-01-01 before:9999-12-31") == ["hello"]


@pytest.mark.parametrize(
    "q", ["before:2026-02-30", "on:yesterday", "after:2026-3-1", "hello before:20260301"]
)
async def test_an_invalid_date_is_422_naming_the_operator(client, ana, q):
    response = await search(client, ana, q)
    error = assert_error(response, 422, "invalid_operator")
    assert error["operator"] == q.split()[-1]
    assert error["operator"] in error["message"] and "YYYY-MM-DD" in error["message"]


async def test_an_unknown_has_or_is_value_is_422(client, ana):
    for q in ("has:image", "is:starred"):
        error = assert_error(await search(client, ana, q), 422, "invalid_operator")
        assert error["operator"] == q


@pytest.mark.parametrize("q", ["is:thread", "report is:THREAD from:me"])
async def test_threads_are_not_available_yet(client, ana, q):
    error = assert_error(await search(client, ana, q), 422, "unsupported_operator")
    assert error["operator"] == "is:thread"
    assert "not available yet" in error["message"]


async def test_is_pinned_keeps_the_pinned_messages(client, ana, bob):
    chat = await direct(client, ana, bob)
    kept = await sent(client, ana, chat["id"], "the release checklist")
    await sent(client, ana, chat["id"], "the release party")
    pinned = await client.put(f"/api/messages/{kept['id']}/pin", headers=bob.headers)
    assert pinned.status_code == 204, pinned.text
    assert await hit_texts(client, bob, "is:pinned") == ["the release checklist"]
    assert await hit_texts(client, bob, "release IS:PINNED") == ["the release checklist"]
    assert sorted(await hit_texts(client, bob, "release")) == [
        "the release checklist",
        "the release party",
    ]
    await client.delete(f"/api/messages/{kept['id']}/pin", headers=bob.headers)
    assert await hit_texts(client, bob, "is:pinned") == []


async def test_unknown_operators_and_empty_values_are_words(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "priority: high, from the top")
    assert await hit_texts(client, bob, "priority:high") == ["priority: high, from the top"]
    assert await hit_texts(client, bob, "from: top") == ["priority: high, from the top"]
    assert await hit_texts(client, bob, "FROM:@nobody_at_all") == []  # the name is not a word
