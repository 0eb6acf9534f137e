"""Emoji shortcodes (`:wave:`, `:+1:`, `:thumbsup:`) turned into the emoji on send.

Only names the `emoji` package knows (its English names and their GitHub/Slack aliases) are
replaced, and never inside Markdown code (inline `spans` or fenced blocks): code shows what was
typed. Anything else between colons (`12:30:45`, `a:b:c`, `:notanemoji:`) stays as it is."""

from __future__ import annotations

import re
from functools import cache

import emoji as emoji_data

# A fenced block (to its closing fence, or the end of the text) or an inline code span.
_CODE = re.compile(r"(?ms)^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1[ \t]*$|\Z)|(`+).+?\2")
# Not glued to a word or number on either side: `a:b:c` and `12:30:45` are no shortcodes.
_SHORTCODE = re.compile(r"(?<![a-z0-9]):[a-z0-9_+\-]+:(?![a-z0-9])", re.IGNORECASE)


@cache
def shortcodes() -> dict[str, str]:
    """`:name:` -> emoji, for every fully-qualified emoji's name and aliases (built once)."""
    names: dict[str, str] = {}
    for char, data in emoji_data.EMOJI_DATA.items():
        if data["status"] != emoji_data.STATUS["fully_qualified"]:
            continue
        for name in (data["en"], *data.get("alias", ())):
            names.setdefault(name.lower(), char)
    return names


def _replace(match: re.Match) -> str:
    return shortcodes().get(match.group(0).lower(), match.group(0))


def _emojize(prose: str) -> str:
    return _SHORTCODE.sub(_replace, prose) if prose.count(":") > 1 else prose


def emojize(text: str) -> str:
    """`text` with its known shortcodes replaced, code left alone. Cheap when there is
    nothing to do: a text with fewer than two colons is returned untouched."""
    if text.count(":") < 2:
        return text
    if "`" not in text and "~~~" not in text:
        return _emojize(text)
    parts, end = [], 0
    for code in _CODE.finditer(text):
        parts.append(_emojize(text[end : code.start()]))
        parts.append(code.group(0))
        end = code.end()
    parts.append(_emojize(text[end:]))
    return "".join(parts)
