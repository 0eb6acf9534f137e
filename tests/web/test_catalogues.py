"""The client's words: English and Russian have exactly the same keys, every key the code asks
for exists, and no view or page element shows a literal English string instead of the
catalogue's (a heuristic: UI sinks given a literal with letters, and sentence-like literals)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "chinwag" / "web"
JS = WEB / "js"
TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`|\'(?:[^\'\\]|\\.)*\'|[A-Za-z_$][\w$]*|[{}:,\[\]]'
)
COMMENT = re.compile(r"/\*.*?\*/|(?<![:\"'])//[^\n]*", re.S)


def unquote(token: str) -> str:
    return token[1:-1] if token[0] in "\"'`" else token


def catalogue(path: Path) -> dict[str, str]:
    """The leaves of a catalogue's `export default {...}`: dotted key -> text."""
    source = COMMENT.sub("", path.read_text(encoding="utf-8"))
    source = source[source.index("export default") + len("export default") :]
    tokens = TOKEN.findall(source)
    leaves: dict[str, str] = {}
    trail: list[str] = []
    key = None
    for index, token in enumerate(tokens):
        if token == "{":
            if key is not None:
                trail.append(key)
            key = None
        elif token == "}":
            if not trail:
                break
            trail.pop()
        elif token == ":":
            continue
        elif token == ",":
            key = None
        elif key is None and index + 1 < len(tokens) and tokens[index + 1] == ":":
            key = unquote(token)
        elif key is not None:
            leaves[".".join([*trail, key])] = unquote(token)
            key = None
    return leaves


def keys_of(leaves: dict[str, str]) -> set[str]:
    """The keys, a plural counted once (its forms are the language's own: en has one/other,
    ru one/few/many/other)."""
    return {re.sub(r"^(plurals\.\w+)\.\w+$", r"\1", key) for key in leaves}


def test_english_and_russian_have_the_same_keys():
    en, ru = keys_of(catalogue(JS / "i18n" / "en.js")), keys_of(catalogue(JS / "i18n" / "ru.js"))
    assert len(en) > 250
    assert sorted(set(en) - set(ru)) == [], "missing in ru.js"
    assert sorted(set(ru) - set(en)) == [], "missing in en.js"


def test_russian_is_translated_and_keeps_the_placeholders():
    en, ru = catalogue(JS / "i18n" / "en.js"), catalogue(JS / "i18n" / "ru.js")
    brand = {"page.title"}  # the product's name stays as it is
    same = [k for k in en if en[k] == ru[k] and re.search("[a-z]{4}", en[k]) and k not in brand]
    assert same == [], "left in English"
    for key in en.keys() & ru.keys():
        placeholders = set(re.findall(r"\{(\w+)\}", en[key]))
        assert placeholders == set(re.findall(r"\{(\w+)\}", ru[key])), key


def test_russian_plurals_have_every_form():
    ru = catalogue(JS / "i18n" / "ru.js")
    for name in {key.split(".")[1] for key in ru if key.startswith("plurals.")}:
        assert {f"plurals.{name}.{form}" for form in ("one", "few", "many", "other")} <= set(ru)


def asked_keys() -> set[str]:
    found = set()
    for path in JS.rglob("*.js"):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"""\bt\(([^()]*?)[,)]""", source):
            found |= set(re.findall(r'"([a-zA-Z]+\.[\w.]+)"', match.group(1)))
        for match in re.finditer(r"""\bplural\(([^()]*?)[,)]""", source):
            found |= {f"plurals.{name}.other" for name in re.findall(r'"(\w+)"', match.group(1))}
    html = (WEB / "index.html").read_text(encoding="utf-8")
    found |= set(re.findall(r'data-i18n="([\w.]+)"', html))
    found |= set(re.findall(r":(page\.\w+)", html))
    return found


def test_every_key_the_client_asks_for_exists():
    en = catalogue(JS / "i18n" / "en.js")
    asked = asked_keys()
    assert len(asked) > 150
    assert sorted(key for key in asked if key not in en) == []


SINK = re.compile(
    r"""(?:\btext|textContent|"aria-label"|\btitle|\blabel|placeholder)\s*[:=]\s*"""
    r"""("(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)"""
)
SENTENCE = re.compile(r"""["`]([A-Z][a-z]+(?: [a-z]+)+[.…!?]?)["`]""")


def literal_words(literal: str) -> str:
    """The letters of a literal outside its ${...} parts (a nested template is cut short by
    the pattern: only what precedes its first ${ counts then)."""
    inner = literal[1:-1]
    if literal[0] == "`" and "${" in inner and inner.count("{") != inner.count("}"):
        inner = inner[: inner.index("${")]
    return re.sub(r"\$\{[^}]*\}", "", inner)


def test_no_literal_strings_in_the_views():
    found = []
    for path in sorted((JS / "views").glob("*.js")) + [JS / "dom.js"]:
        source = COMMENT.sub("", path.read_text(encoding="utf-8"))
        for match in SINK.finditer(source):
            if re.search("[A-Za-z]{2}", literal_words(match.group(1))):
                found.append(f"{path.name}: {match.group(0)}")
        found += [f"{path.name}: {m.group(0)}" for m in SENTENCE.finditer(source)]
    assert found == []


class PageWords(HTMLParser):
    """Text and labelling attributes of index.html not covered by a data-i18n key."""

    KEEP = {"chinwag", "English", "Русский", "Ctrl", "Shift", "Enter", "Esc", "Alt", "K"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.uncovered: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        covered = attrs.get("data-i18n-attrs", "")
        for name in ("aria-label", "placeholder", "title"):
            if attrs.get(name) and re.search("[A-Za-z]", attrs[name]) and f"{name}:" not in covered:
                self.uncovered.append(f"<{tag} {name}={attrs[name]!r}>")
        if tag not in {"meta", "link", "input", "br", "hr", "img"}:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        text = data.strip()
        if not text or not re.search("[A-Za-z]", text) or text in self.KEEP or not self.stack:
            return
        tag, attrs = self.stack[-1]
        if tag not in {"script", "style", "title"} and "data-i18n" not in attrs:
            self.uncovered.append(f"<{tag}>{text}")


def test_every_word_of_the_page_has_a_key():
    words = PageWords()
    words.feed((WEB / "index.html").read_text(encoding="utf-8"))
    assert words.uncovered == []
