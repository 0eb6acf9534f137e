"""Nothing a client can send makes search fail: query text is words, never syntax, and bad
parameters are 422s of the usual shape."""

from __future__ import annotations

import random

import pytest

from tests.conftest import assert_error
from tests.messages.helpers import direct, sent
from tests.search.helpers import hit_texts, hits, search

HOSTILE = [
    '"',
    '""',
    "'",
    "''",
    "*",
    "hello*",
    "*hello",
    "NEAR(",
    "NEAR(hello world, 2)",
    "AND OR NOT",
    "hello AND",
    "NOT hello",
    "hello -world",
    "-",
    "^",
    "^hello",
    "(",
    ")",
    "(hello",
    "hello)",
    "{body chat}: hello",
    "body:hello",
    "chat:c1",
    "col:term",
    "hello:*",
    "'hello':* & !world | <-> world",
    "hello <2> world",
    "!!",
    "&",
    "|",
    ":",
    "+hello +world",
    '"hello world"',
    '"hello" "world',
    "'; DROP TABLE messages; --",
    "1' OR '1'='1",
    "%",
    "_",
    "%hello%",
    "hello_world",
    "\\",
    "\\\\hello\\",
    "\\'",
    "héllo wörld",
    "🎉",
    "hello 🎉 world",
    "\u200b\u200b",
    "\u0301",
    "\ue000hello\ue001",
    "ｈｅｌｌｏ",
    "Ωmega",
    "x" * 200,
    "a " * 100,
    "\t\nhello\r\n",
]


async def test_hostile_queries_answer_hits_or_nothing(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "hello world")
    # One chat for every query (a test each would sign people up 50 times over).
    for query in HOSTILE:
        response = await search(client, bob, query)
        assert response.status_code == 200, (query, response.text)
        found = response.json()
        assert isinstance(found, list), query
        assert all(h["message"]["text"] == "hello world" for h in found), (query, found)
    assert len(await hits(client, bob, "(hello")) == 1
    assert len(await hits(client, bob, "{body chat}: hello")) == 0  # "body" must occur too


async def test_operators_are_words_not_operators(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "hello world")
    await sent(client, ana, chat["id"], "hello or not")
    # OR, NOT and NEAR are plain words that must occur, dashes separate words; double quotes
    # make a phrase (search.query), whose words are plain words too.
    assert await hit_texts(client, bob, "hello OR world") == []
    assert await hit_texts(client, bob, "hello NOT") == ["hello or not"]
    assert await hit_texts(client, bob, "hello -world") == ["hello world"]
    assert await hit_texts(client, bob, '"hello world"') == ["hello world"]
    assert await hit_texts(client, bob, '"world hello"') == []
    assert await hit_texts(client, bob, '"NEAR(hello" world') == []
    assert await hit_texts(client, bob, "world*") == ["hello world"]
    assert await hit_texts(client, bob, "NEAR(hello world)") == []


async def test_the_chat_column_cannot_be_searched(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "nothing special")
    for query in (f"c{chat['id']}", f"chat:c{chat['id']}", f"chat : c{chat['id']}"):
        assert await hit_texts(client, bob, query) == [], query


async def test_queries_without_words_answer_nothing(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "*** !!! 🎉")
    for query in ("***", "!!!", "🎉", "*** !!! 🎉", "-- ''"):
        assert await hits(client, bob, query) == [], query


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "\t\n"},
        {"q": "x" * 201},
        {"q": "hello " * 2000},
        {"q": "hello\x00world"},
        {"q": "\x00"},
        {"q": "hello", "limit": 0},
        {"q": "hello", "limit": 101},
        {"q": "hello", "limit": "ten"},
        {"q": "hello", "limit": -1},
        {"q": "hello", "before": 0},
        {"q": "hello", "before": 2**63},
        {"q": "hello", "before": "last"},
        {"q": "hello", "chat_id": 0},
        {"q": "hello", "chat_id": 2**31},
        {"q": "hello", "chat_id": "1 OR 1=1"},
    ],
    ids=lambda p: repr(p)[:40],
)
async def test_bad_parameters_are_422(client, ana, params):
    response = await client.get("/api/search", headers=ana.headers, params=params)
    error = assert_error(response, 422, "validation_error")
    assert "details" in error
    assert "\x00" not in response.text


async def test_a_200_character_query_is_fine(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "w" * 200)
    assert await hit_texts(client, bob, "w" * 200) == ["w" * 200]


HOSTILE_OPERATORS = [
    "from:", "from:@", "from:@@", "from:'; DROP TABLE users; --", "from:%", "from:_",
    "from:a%' OR '1'='1", 'from:"', 'from:""', 'from:"ana', "from:" + "x" * 190,
    "in:", "in:#", "in:@", 'in:#"', 'in:#"unclosed group', "in:#%", "in:*", "in:(",
    "in:c1", "in:#c1", "in:@me", "in:@" + "é" * 100,
    "before:", "before:2026-02-30", "before:0000-00-00", "before:9999-99-99",
    "after:9999-12-31", "before:0001-01-01", "on:0001-01-01", "on:9999-12-31",
    "after:0001-01-01 before:9999-12-31 hello", "on:2026-03-01T00:00", "on:²⁰²⁶-03-01",
    "on:２０２６-03-01", "has:", "has:*", "has:file*", "has:link has:file has:file",
    "is:", "is:thread", "is:pinned", 'has:"file"', "HAS:FILE hello", "from:me hello*",
    '"hello world" from:me', '"NEAR(hello" world)', '"*"', '"^hello"', '"hello" -"world"',
    '"\'hello\':* & !world"', 'in:#"NEAR(a b)" from:@"x y" has:link "" ""',
    "from:ana " * 20, "in:#a " * 30, "on:2026-03-01 " * 14,
]  # fmt: skip


async def test_hostile_operators_answer_hits_nothing_or_a_422(client, ana, bob):
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "hello world")
    for query in HOSTILE_OPERATORS:
        response = await search(client, bob, query[:200])
        if response.status_code == 422:
            error = assert_error(response, 422)
            assert error["code"] in ("invalid_operator", "unsupported_operator"), query
            continue
        assert response.status_code == 200, (query, response.text)
        found = response.json()
        assert all(h["message"]["text"] == "hello world" for h in found), (query, found)


FUZZ_PIECES = [
    "from:", "in:", "before:", "after:", "on:", "has:", "is:", "@", "#", '"', ":", " ", "-",
    "*", "(", ")", "^", "NEAR", "AND", "OR", "NOT", "'", "\\", "%", "_", "2026-03-01",
    "0001-01-01", "9999-12-31", "file", "link", "me", "hello", "world", "é", "🎉", "\ue000",
    "<->", "&", "|", "!", ":*", "{", "}", ";", "--",
]  # fmt: skip


async def test_fuzzed_queries_never_fail(client, ana, bob):
    # A seeded fuzz through the real app and database (the parser's own property test is in
    # test_query): any mix of the language's pieces answers hits, nothing or a 422.
    chat = await direct(client, ana, bob)
    await sent(client, ana, chat["id"], "hello world")
    rng = random.Random(19)
    for _ in range(150):
        query = "".join(rng.choices(FUZZ_PIECES, k=rng.randint(1, 12)))[:200]
        if not query.strip():
            continue
        response = await search(client, bob, query)
        assert response.status_code in (200, 422), (query, response.text)
        if response.status_code == 422:
            assert assert_error(response, 422)["code"] in (
                "invalid_operator",
                "unsupported_operator",
            ), query
