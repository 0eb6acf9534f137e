"""Pages of hits: `limit`, and `before` = the id of the last hit of the previous page."""

from __future__ import annotations

from sqlalchemy import insert, update

from chinwag.chats.models import Chat
from chinwag.db.base import utcnow
from chinwag.messages.models import Message
from chinwag.search.service import CANDIDATES
from tests.messages.helpers import delete, direct, edit, sent
from tests.search.helpers import CROWDED, hits


async def _ids(client, person, q: str, **params) -> list[int]:
    return [h["message"]["id"] for h in await hits(client, person, q, **params)]


async def test_limit_defaults_to_20_and_goes_up_to_100(client, ana, bob):
    chat = await direct(client, ana, bob)
    for n in range(105):
        await sent(client, ana, chat["id"], f"note {n}")
    assert len(await _ids(client, bob, "note")) == 20
    assert len(await _ids(client, bob, "note", limit=100)) == 100
    assert len(await _ids(client, bob, "note", limit=7)) == 7


@CROWDED
async def test_pages_continue_after_the_last_hit_without_gaps_or_repeats(
    client, ana, bob, crowd, crowded
):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    # Different ranks (one to four occurrences) and ties within each rank.
    for n in range(12):
        await sent(client, ana, chat["id"], " ".join(["alpha"] * (n % 4 + 1) + [f"n{n}"]))
    everything = await _ids(client, bob, "alpha", limit=100)
    assert len(everything) == 12
    pages, before = [], None
    while True:
        params = {"limit": 5} if before is None else {"limit": 5, "before": before}
        page = await _ids(client, bob, "alpha", **params)
        if not page:
            break
        pages.append(page)
        before = page[-1]
    assert [len(p) for p in pages] == [5, 5, 2]
    assert [i for p in pages for i in p] == everything


async def test_ranked_pages_are_not_simply_older_messages(client, ana, bob):
    chat = await direct(client, ana, bob)
    old_best = await sent(client, ana, chat["id"], "beta beta beta")
    new_weak = await sent(client, ana, chat["id"], "beta and a lot of other words here")
    assert await _ids(client, bob, "beta") == [old_best["id"], new_weak["id"]]
    # After the best (and oldest) hit comes the newer, weaker one.
    assert await _ids(client, bob, "beta", before=old_best["id"]) == [new_weak["id"]]
    assert await _ids(client, bob, "beta", before=new_weak["id"]) == []


@CROWDED
async def test_a_cursor_that_is_no_longer_a_hit_continues_with_older_hits(
    client, ana, bob, crowd, crowded
):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    ids = [(await sent(client, ana, chat["id"], f"gamma {n}"))["id"] for n in range(5)]
    assert await _ids(client, bob, "gamma", limit=2) == [ids[4], ids[3]]
    response = await edit(client, ana, ids[3], "something else")
    assert response.status_code == 200, response.text
    assert await _ids(client, bob, "gamma", limit=2, before=ids[3]) == [ids[2], ids[1]]
    response = await delete(client, ana, ids[2])
    assert response.status_code == 204, response.text
    assert await _ids(client, bob, "gamma", before=ids[2]) == [ids[1], ids[0]]


@CROWDED
async def test_a_cursor_from_a_chat_i_cannot_see_tells_nothing_about_it(
    client, ana, bob, cyd, crowd, crowded
):
    if crowded:
        await crowd(200)
    hidden = await direct(client, ana, bob)
    mine = await direct(client, cyd, ana)
    ids = [(await sent(client, ana, mine["id"], f"delta {n}"))["id"] for n in range(2)]
    secret = await sent(client, ana, hidden["id"], "delta delta delta delta")
    ids.append((await sent(client, ana, mine["id"], "delta 2"))["id"])
    # Its score is not used (the page would tell whether it holds the word), only its id.
    assert await _ids(client, cyd, "delta", before=secret["id"]) == [ids[1], ids[0]]
    assert await _ids(client, cyd, "delta", before=ids[0]) == []


@CROWDED
async def test_a_common_word_ranks_its_newest_matches_and_before_reaches_older(
    client, ctx, ana, bob, crowd, crowded
):
    if crowded:
        await crowd(12 * CANDIDATES)
    chat = await direct(client, ana, bob)
    strongest = await sent(client, ana, chat["id"], "zeta zeta zeta")
    count = CANDIDATES + 50
    rows = [
        {"chat_id": chat["id"], "seq": seq, "sender_id": ana.id, "kind": "text",
         "text": f"zeta filler {seq}", "html": "", "mentions": [], "created_at": utcnow()}
        for seq in range(2, count + 2)
    ]  # fmt: skip

    def store(db) -> list[int]:
        stored = list(db.scalars(insert(Message).returning(Message.id), rows))
        db.execute(update(Chat).where(Chat.id == chat["id"]).values(last_seq=count + 1))
        return stored

    ids = await ctx.db.write(store)
    # Only the newest CANDIDATES matches are ranked: the strongest, oldest one is not.
    first = await _ids(client, bob, "zeta")
    assert first == sorted(ids, reverse=True)[:20]
    # A cursor older than those ranks the matches older than it, the strongest first.
    older = await _ids(client, bob, "zeta", before=ids[10])
    assert older == [strongest["id"], *reversed(ids[:10])]
