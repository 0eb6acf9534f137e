"""The search query language: words, "quoted phrases" and operators (a pure parser).

    deploy "release notes" from:@ana in:#design after:2026-03-01 has:file

A query is cut at white space into tokens, double quotes keeping a phrase (or an operator's
value, `in:#"design team"`) together; an unclosed quote runs to the end. A token `name:value`
whose name is an operator below is a filter; any other token is text, cut into words by
search.terms (so `foo:bar`, `NEAR(`, `*` or `'` are words and separators, never syntax).

| operator | value | several |
|---|---|---|
| `from:` | `@username`, `username` or `me` (case-insensitive) | any |
| `in:` | `#group` or `group` (its name), `@username` (my direct chat with them) | any |
| `before:` `after:` `on:` | `YYYY-MM-DD`, a day in the caller's time zone | all of them |
| `has:` | `file`, `link` | all of them |
| `is:` | `thread`, `pinned` | all of them |

An operator without a value (`from:` as it is typed) is text. A known operator with a value it
can't take (`before:yesterday`, `has:image`) is refused: a 422 `invalid_operator` that names
it, rather than a search that silently means something else. Operator names are
case-insensitive. Whether the people, chats and features named exist is for the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from chinwag.errors import Invalid
from chinwag.search.terms import MIN_PREFIX_CHARS, SearchTerms, words_of

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A token: a phrase, an operator-looking name with a quoted or bare value, or a bare run.
TOKEN = re.compile(
    r'"(?P<phrase>[^"]*)"?'
    r'|(?P<name>[A-Za-z]+):(?P<sigil>[#@]?)(?:"(?P<quoted>[^"]*)"?|(?P<value>[^\s"]+))'
    r'|(?P<text>[^\s"]+)'
)
HAS = ("file", "link")
IS = ("thread", "pinned")
OPERATORS = ("from", "in", "before", "after", "on", "has", "is")


class InvalidOperator(Invalid):
    """A known operator with a value it can't take."""

    code = "invalid_operator"

    def __init__(self, token: str, problem: str) -> None:
        super().__init__(f"In {token}: {problem}", extra={"operator": token})


@dataclass(frozen=True)
class ChatName:
    """A chat named by in:, either a group by its name or a direct chat by the other person."""

    name: str
    direct: bool  # in:@username


@dataclass(frozen=True)
class SearchQuery:
    terms: SearchTerms | None  # None: no words (filters only, or nothing at all)
    senders: tuple[str, ...] = ()  # usernames as typed, without the @ ("me" for the caller)
    chats: tuple[ChatName, ...] = ()
    before: tuple[date, ...] = ()
    after: tuple[date, ...] = ()
    on: tuple[date, ...] = ()
    has: frozenset[str] = frozenset()
    is_: frozenset[str] = frozenset()

    @property
    def has_filters(self) -> bool:
        return bool(
            self.senders
            or self.chats
            or self.before
            or self.after
            or self.on
            or self.has
            or self.is_
        )


class _Collected:
    """What the tokens of one query add up to while they are read."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.last_bare = False  # the last word came bare (not in a phrase): it may be a prefix
        self.phrases: list[tuple[str, ...]] = []
        self.filters: dict[str, list] = {name: [] for name in OPERATORS}

    def add_text(self, text: str) -> None:
        found = words_of(text)
        if found:
            self.words.extend(found)
            self.last_bare = True

    def add_phrase(self, text: str) -> None:
        found = words_of(text)
        if len(found) == 1:
            self.words.extend(found)
            self.last_bare = False
        elif found:
            self.phrases.append(found)

    def query(self) -> SearchQuery:
        terms = None
        if self.words or self.phrases:
            prefix = self.last_bare and len(self.words[-1]) >= MIN_PREFIX_CHARS
            terms = SearchTerms(tuple(self.words), prefix, tuple(self.phrases))
        f = self.filters
        return SearchQuery(
            terms,
            senders=tuple(dict.fromkeys(f["from"])),
            chats=tuple(dict.fromkeys(f["in"])),
            before=tuple(f["before"]),
            after=tuple(f["after"]),
            on=tuple(f["on"]),
            has=frozenset(f["has"]),
            is_=frozenset(f["is"]),
        )


def parse_query(query: str) -> SearchQuery:
    """The words, phrases and filters of a search query; InvalidOperator (422) for a known
    operator with a value it can't take."""
    collected = _Collected()
    for match in TOKEN.finditer(query):
        if match["phrase"] is not None:
            collected.add_phrase(match["phrase"])
            continue
        name = (match["name"] or "").lower()
        value = match["quoted"] if match["quoted"] is not None else match["value"]
        if name in OPERATORS and value and value.strip():
            operand = (match["sigil"] or "") + value.strip()
            collected.filters[name].append(_operand(name, operand, match[0]))
        else:
            collected.add_text(match[0])
    return collected.query()


def _operand(name: str, value: str, token: str):
    if name == "from":
        return _username(value)
    if name == "in":
        if value.startswith("@"):
            return ChatName(_username(value), direct=True)
        return ChatName(value.removeprefix("#").strip(), direct=False)
    if name in ("before", "after", "on"):
        return _day(value, token)
    allowed = HAS if name == "has" else IS
    if value.lower() not in allowed:
        raise InvalidOperator(token, f"{name}: is followed by " + " or ".join(allowed))
    return value.lower()


def _username(value: str) -> str:
    return value.removeprefix("@").lower()


def _day(value: str, token: str) -> date:
    if DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # 2026-02-30: the right shape, not a day
    raise InvalidOperator(token, "a date is written YYYY-MM-DD, e.g. 2026-03-01")
