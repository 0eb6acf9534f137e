"""The emoji the reaction picker offers: every fully-qualified emoji the `emoji` package knows
(skin-tone variants left out: the picker shows the base one), with its name and aliases,
grouped by the Unicode block it lives in, as one JSON body built once and served with an ETag.

The package holds no CLDR groups ("Smileys & Emotion", ...), so the blocks stand in for them:
close enough to browse, and the search by name is what finds a given one."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache

import emoji as emoji_data

from chinwag.messages.reactions import MAX_EMOJI_BYTES

# (first code point, last code point, group key): the first that holds an emoji's first
# code point is its group; the client names each key in the reader's language.
_BLOCKS = (
    (0x1F600, 0x1F64F, "smileys"),
    (0x1F910, 0x1F92F, "smileys"),
    (0x1F970, 0x1F97F, "smileys"),
    (0x1F440, 0x1F4AF, "people"),
    (0x1F9D0, 0x1F9FF, "people"),
    (0x1F300, 0x1F3FF, "nature"),
    (0x1F400, 0x1F43F, "nature"),
    (0x1F980, 0x1F9CF, "nature"),
    (0x1F680, 0x1F6FF, "travel"),
    (0x1F1E6, 0x1F1FF, "flags"),
    (0x1F3F3, 0x1F3F4, "flags"),
    (0x1F4B0, 0x1F5FF, "objects"),
    (0x1F900, 0x1F9FF, "objects"),
    (0x1FA70, 0x1FAFF, "objects"),
)
GROUPS = ("smileys", "people", "nature", "travel", "objects", "symbols", "flags")


@dataclass(frozen=True, slots=True)
class Catalogue:
    body: bytes  # the JSON
    etag: str


def _group(char: str) -> str:
    first = ord(char[0])
    for low, high, key in _BLOCKS:
        if low <= first <= high:
            return key
    return "symbols"  # the BMP's dingbats, arrows, keycaps and the rest


def _entry(char: str, data: dict) -> dict:
    name = data["en"].strip(":").replace("_", " ")
    aliases = [a.strip(":") for a in data.get("alias", ())]
    return {"emoji": char, "name": name, "aliases": aliases}


def _listed(char: str, data: dict) -> bool:
    fully = data["status"] == emoji_data.STATUS["fully_qualified"]
    # only what a reaction accepts (the longest family sequences don't fit its column)
    fits = len(char.encode()) <= MAX_EMOJI_BYTES
    return fully and fits and "skin_tone" not in data["en"]


@cache
def catalogue() -> Catalogue:
    """Built on first use (a few milliseconds), then the same bytes for every request."""
    groups: dict[str, list[dict]] = {key: [] for key in GROUPS}
    for char, data in sorted(emoji_data.EMOJI_DATA.items()):
        if _listed(char, data):
            groups[_group(char)].append(_entry(char, data))
    shape = {"groups": [{"key": k, "emoji": groups[k]} for k in GROUPS]}
    body = json.dumps(shape, ensure_ascii=False, separators=(",", ":")).encode()
    return Catalogue(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
