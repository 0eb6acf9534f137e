"""What a search finds and in which order: words, prefixes, case and accents, ranking, the
hit shape and the snippet."""

from __future__ import annotations

from tests.messages.helpers import direct, group, history, same_message, sent
from tests.search.helpers import CROWDED, hit_texts, hits


async def test_finds_messages_by_word_whatever_the_case(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "The Release is on Friday")
    await sent(client, bob, chat["id"], "lunch at noon?")
    assert await hit_texts(client, bob, "release") == ["The Release is on Friday"]
    assert await hit_texts(client, bob, "FRIDAY") == ["The Release is on Friday"]
    assert await hit_texts(client, bob, "dinner") == []


@CROWDED
async def test_every_word_must_occur(client, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "deploy the api today")
    await sent(client, ana, chat["id"], "deploy the web client")
    assert await hit_texts(client, ana, "deploy api") == ["deploy the api today"]
    assert await hit_texts(client, ana, "api deploy") == ["deploy the api today"]
    assert sorted(await hit_texts(client, ana, "the deploy")) == [
        "deploy the api today",
        "deploy the web client",
    ]


@CROWDED
async def test_the_last_word_matches_as_a_prefix(client, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "the deployment failed")
    await sent(client, ana, chat["id"], "we deploy on mondays")
    assert sorted(await hit_texts(client, ana, "depl")) == [
        "the deployment failed",
        "we deploy on mondays",
    ]
    # Only the last word: an earlier one must be whole.
    assert await hit_texts(client, ana, "depl failed") == []
    assert await hit_texts(client, ana, "deployment fail") == ["the deployment failed"]


async def test_a_last_word_shorter_than_three_letters_is_whole(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "pr review please")
    await sent(client, ana, chat["id"], "project kickoff")
    await sent(client, ana, chat["id"], "process the queue")
    assert await hit_texts(client, ana, "pr") == ["pr review please"]
    assert sorted(await hit_texts(client, ana, "pro")) == ["process the queue", "project kickoff"]
    assert await hit_texts(client, ana, "proj") == ["project kickoff"]


async def test_accents_do_not_matter(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "Rendez-vous au Café de la Gare")
    await sent(client, ana, chat["id"], "Öffnungszeiten der Kantine")
    assert await hit_texts(client, bob, "cafe") == ["Rendez-vous au Café de la Gare"]
    assert await hit_texts(client, bob, "CAFÉ gare") == ["Rendez-vous au Café de la Gare"]
    assert await hit_texts(client, bob, "offnungszeiten") == ["Öffnungszeiten der Kantine"]


async def test_other_scripts_are_words_too(client, ana, bob):
    chat = await direct(client, ana, bob)
    texts = ["Привет, как дела?", "東京 タワー で 会いましょう", "مرحبا بالعالم", "नमस्ते दुनिया"]
    for text in texts:
        await sent(client, ana, chat["id"], text)
    assert await hit_texts(client, bob, "как") == [texts[0]]
    assert await hit_texts(client, bob, "ПРИВЕТ") == [texts[0]]
    assert await hit_texts(client, bob, "タワー") == [texts[1]]
    assert await hit_texts(client, bob, "بالعالم") == [texts[2]]
    assert await hit_texts(client, bob, "दुनिया") == [texts[3]]


async def test_words_joined_by_punctuation_are_found_one_by_one(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "see example.com/docs and snake_case names, e-mail me")
    for query in ("example", "docs", "snake", "case", "mail", "example.com"):
        assert len(await hits(client, bob, query)) == 1, query


@CROWDED
async def test_more_occurrences_rank_first(client, ana, bob, crowd, crowded):
    if crowded:
        await crowd(200)
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "outage in the north region since noon today")
    await sent(client, ana, chat["id"], "outage again: second outage in the north region")
    await sent(client, ana, chat["id"], "nothing to see")
    assert await hit_texts(client, bob, "outage") == [
        "outage again: second outage in the north region",
        "outage in the north region since noon today",
    ]


async def test_a_short_message_ranks_above_a_long_one(client, ana, bob):
    chat = await direct(client, ana, bob)
    long = "budget " + " ".join(f"filler{i}" for i in range(30))
    await sent(client, ana, chat["id"], "budget approved")
    await sent(client, ana, chat["id"], long)
    assert await hit_texts(client, bob, "budget") == ["budget approved", long]


async def test_equal_matches_come_newest_first(client, ana, bob):
    chat = await direct(client, ana, bob)
    for n in range(3):
        await sent(client, ana, chat["id"], f"standup {n}")
    assert await hit_texts(client, bob, "standup") == ["standup 2", "standup 1", "standup 0"]


async def test_a_hit_carries_the_message_as_history_shows_it(client, ana, bob):
    chat = await group(client, ana, bob)
    first = await sent(client, ana, chat["id"], "quarterly report is **done**")
    reply = await sent(client, bob, chat["id"], "thanks for the report", reply_to=first["id"])
    react = await client.put(f"/api/messages/{first['id']}/reactions/👍", headers=bob.headers)
    assert react.status_code == 204, react.text
    found = await hits(client, bob, "report")
    assert {h["message"]["id"] for h in found} == {first["id"], reply["id"]}
    by_id = {m["id"]: m for m in await history(client, bob, chat["id"])}
    for hit in found:
        assert hit["chat_id"] == chat["id"]
        assert same_message(hit["message"], by_id[hit["message"]["id"]]), hit
    reacted = next(h["message"] for h in found if h["message"]["id"] == first["id"])
    assert reacted["reactions"] == [{"emoji": "👍", "count": 1, "user_ids": [bob.id]}]


async def test_is_read_is_per_chat(client, ana, bob, cyd):
    with_bob = await direct(client, ana, bob)
    with_cyd = await direct(client, ana, cyd)
    await sent(client, ana, with_bob["id"], "invoice for bob")
    await sent(client, ana, with_cyd["id"], "invoice for cyd")
    read = await client.post(
        f"/api/chats/{with_cyd['id']}/read", headers=cyd.headers, json={"seq": 1}
    )
    assert read.status_code == 204, read.text
    found = {
        h["message"]["text"]: h["message"]["is_read"] for h in await hits(client, ana, "invoice")
    }
    assert found == {"invoice for bob": False, "invoice for cyd": True}


async def test_snippets_mark_the_matches(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "Ship the parser, then ship the docs")
    (hit,) = await hits(client, bob, "ship docs")
    assert hit["snippet"] == (
        "<mark>Ship</mark> the parser, then <mark>ship</mark> the <mark>docs</mark>"
    )


async def test_snippets_escape_the_text(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], 'payload <script>alert("x")</script> & <b onclick=y>hi</b>')
    (hit,) = await hits(client, bob, "payload")
    snippet = hit["snippet"]
    assert snippet.startswith("<mark>payload</mark> &lt;script&gt;alert(")
    assert "&amp;" in snippet and "&lt;b onclick=y&gt;hi&lt;/b&gt;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


async def test_marker_characters_in_a_message_do_not_become_marks(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "forged \ue000mark\ue001 here and a word")
    (hit,) = await hits(client, bob, "word")
    assert "<mark>" not in hit["snippet"]
    assert hit["snippet"].endswith("word")


async def test_a_long_message_gets_a_short_snippet_around_the_match(client, ana, bob):
    chat = await direct(client, ana, bob)
    words = [f"w{i}" for i in range(200)]
    words[150] = "needle"
    await sent(client, ana, chat["id"], " ".join(words))
    (hit,) = await hits(client, bob, "needle")
    assert "<mark>needle</mark>" in hit["snippet"]
    assert "w0 " not in hit["snippet"] and len(hit["snippet"].split()) <= 32
