"""The query parser alone (a pure function): what each operator becomes, what stays words,
and, for any string at all, a parsed query or a 422, never another exception."""

from __future__ import annotations

from datetime import UTC, date, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chinwag.errors import ChinwagError
from chinwag.search.filters import EARLIEST, LATEST, day_bounds
from chinwag.search.query import ChatName, InvalidOperator, parse_query
from chinwag.search.terms import MAX_QUERY_CHARS


def test_words_phrases_and_operators():
    q = parse_query(
        'deploy "release notes" FROM:@Ana from:bob in:#design in:"design team" in:@cyd '
        "after:2026-03-01 before:2026-04-01 on:2026-03-15 has:FILE has:link is:thread api"
    )
    assert q.terms is not None
    assert q.terms.words == ("deploy", "api")
    assert q.terms.phrases == (("release", "notes"),)
    assert q.terms.prefix is True
    assert q.senders == ("ana", "bob")
    assert q.chats == (
        ChatName("design", direct=False),
        ChatName("design team", direct=False),
        ChatName("cyd", direct=True),
    )
    assert (q.after, q.before, q.on) == (
        (date(2026, 3, 1),),
        (date(2026, 4, 1),),
        (date(2026, 3, 15),),
    )
    assert q.has == {"file", "link"} and q.is_ == {"thread"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("foo:bar", ("foo", "bar")),
        ("from:", ("from",)),
        ("in: design", ("in", "design")),
        ("http://example.com", ("http", "example", "com")),
        ('"single"', ("single",)),
    ],
)
def test_what_stays_words(text, words):
    q = parse_query(text)
    assert not q.has_filters
    assert q.terms is not None and q.terms.words == words


def test_inside_quotes_an_operator_is_a_phrase():
    q = parse_query('"from:@ana"')
    assert not q.has_filters and q.terms.phrases == (("from", "ana"),) and q.terms.words == ()


def test_a_phrase_or_operator_last_is_no_prefix():
    assert parse_query('"exact words"').terms.prefix is False
    assert parse_query("deploy from:@ana").terms.prefix is True  # still the last word typed
    assert parse_query('deploy "x y"').terms.prefix is True
    assert parse_query('"deploy"').terms.prefix is False


def test_filters_without_words_have_no_terms():
    q = parse_query("from:@ana has:file")
    assert q.terms is None and q.has_filters


@pytest.mark.parametrize(
    "text", ["before:2026-02-30", "on:2026-13-01", "after:26-01-01", "on:today", "has:image"]
)
def test_bad_values_are_invalid_operator(text):
    with pytest.raises(InvalidOperator) as raised:
        parse_query(text)
    assert raised.value.status == 422 and raised.value.extra == {"operator": text}


def test_day_bounds_in_a_zone():
    q = parse_query("on:2026-03-10")
    tokyo = timezone(timedelta(hours=9))
    since, until = day_bounds(q, tokyo)
    assert since.tzinfo == UTC and since.isoformat() == "2026-03-09T15:00:00+00:00"
    assert until.isoformat() == "2026-03-10T15:00:00+00:00"
    assert day_bounds(parse_query("hello"), UTC) == (EARLIEST, LATEST)


# Text that looks like the language: operators, quotes, dates (good and bad), FTS syntax.
PIECES = st.sampled_from(
    [
        "from:", "in:", "before:", "after:", "on:", "has:", "is:", "FROM:", "@", "#", '"',
        ":", " ", "-", "*", "(", ")", "^", "NEAR", "AND", "'", "\\", "%", "_", "2026-03-01",
        "0001-01-01", "9999-12-31", "2026-02-30", "file", "link", "thread", "me", "ana",
        "\x00", "\ue000", "🎉", "é", "\u0301",
    ]
)  # fmt: skip
QUERIES = st.one_of(
    st.text(max_size=MAX_QUERY_CHARS),
    st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=40).map("".join),
)
ZONES = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=QUERIES, zone=ZONES)
@example(text='in:#"', zone=UTC)
@example(text="after:9999-12-31 before:0001-01-01", zone=UTC)
def test_any_string_parses_or_is_a_422(text, zone):
    try:
        q = parse_query(text)
    except ChinwagError as error:
        assert error.status == 422 and error.code == "invalid_operator"
        return
    since, until = day_bounds(q, zone)  # days at the ends of the calendar don't overflow
    assert since >= EARLIEST and until <= LATEST
    if q.terms is not None:
        assert q.terms.words or q.terms.phrases
        assert all(w and '"' not in w for w in q.terms.words)
