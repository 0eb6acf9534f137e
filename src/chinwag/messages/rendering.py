"""Markdown to safe HTML, once per send or edit.

CommonMark (markdown-it-py, raw HTML off) with autolinks, fenced code, strikethrough and
tables; `@name` mentions become `<span class="mention">` when the name is a member. Whatever
markdown-it emits then goes through nh3 (ammonia), an allowlist sanitiser: defence in depth,
so a renderer bug can't become an XSS.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Usernames are [A-Za-z0-9_.-]{3,32} (accounts.schemas); `all` names everyone in a group.
# A longer run of name characters names nobody (not the user named by its first 32).
MENTION = re.compile(r"@([A-Za-z0-9_.-]{1,32})(?![A-Za-z0-9_.-])")
EVERYONE = "all"

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th",
    "td", "span",
}  # fmt: skip
LINK_REL = "noopener noreferrer nofollow"
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    # "*" empty: ammonia would otherwise allow `lang` and `title` on every tag.
    attributes={"a": {"href", "title"}, "ol": {"start"}, "span": {"data-user-id"}, "*": set()},
    allowed_classes={"span": {"mention", "mention-all"}},
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes={"http", "https", "mailto"},
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


@dataclass
class Draft:
    """A parsed message: the names it may mention, before they are looked up."""

    tokens: list
    env: dict = field(default_factory=dict)

    @property
    def names(self) -> set[str]:
        """Lower-cased `@names` outside code, `all` included when written."""
        return set(self.env.get("candidates", ()))


def _mention_rule(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "@":
        return False
    # `ana@example.com` and `x@@y` are not mentions: a mention starts a word.
    if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "_.-@/"):
        return False
    match = MENTION.match(state.src, pos)
    if match is None:
        return False
    name = match.group(1).rstrip(".-")  # "thanks @ana." ends a sentence
    if not name:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.content = name
        state.env.setdefault("candidates", set()).add(name.lower())
    state.pos = pos + 1 + len(name)
    return True


def _render_mention(self, tokens, idx, options, env) -> str:
    name = tokens[idx].content
    user_id = env.get("resolved", {}).get(name.lower())
    text = html.escape("@" + name)
    if user_id is None:
        return text
    if name.lower() == EVERYONE:
        return f'<span class="mention mention-all">{text}</span>'
    return f'<span class="mention" data-user-id="{int(user_id)}">{text}</span>'


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["strikethrough", "table", "linkify"])
    # Images would load other sites' pixels (and the CSP refuses them anyway): `![a](u)`
    # renders as "!" and a link instead.
    md.disable("image")
    md.inline.ruler.before("emphasis", "mention", _mention_rule)
    md.add_render_rule("mention", _render_mention)
    return md


_md = _markdown()
_PARAGRAPH_OPEN, _, _PARAGRAPH_CLOSE = _md.parse("x")

# What can start a block other than a paragraph on its line: indented code, a heading, a quote,
# a list item or a rule, a fence, a link reference definition. (Tables and setext headings
# take two lines; raw HTML is off.)
_BLOCK_START = re.compile(r"[\s#>*+\-_=~`\[|]|\d{1,9}[.)]")


def _one_paragraph(text: str) -> bool:
    """True when the block parser would make `text` one paragraph around all of it: a single
    line, nothing trimmed off its ends, no block rule able to start it."""
    return (
        bool(text)
        and "\n" not in text
        and "\r" not in text
        and text == text.strip()  # the paragraph rule strips what str.strip strips
        and _BLOCK_START.match(text) is None
    )


def parse(text: str) -> Draft:
    env: dict = {}
    if _one_paragraph(text):
        # Most formatted chat lines: only the inline rules run (the block pass costs a third
        # of such a parse); the tokens are the ones the full parse gives.
        tokens = [_PARAGRAPH_OPEN, *_md.parseInline(text, env), _PARAGRAPH_CLOSE]
    else:
        tokens = _md.parse(text, env)
    return Draft(tokens, env)


def render(draft: Draft, resolved: dict[str, int] | None = None) -> str:
    """Sanitised HTML; `resolved` maps lower-cased names (and `all`) that are mentions to the
    user id shown on them."""
    draft.env["resolved"] = resolved or {}
    return sanitise(_md.renderer.render(draft.tokens, _md.options, draft.env))


def render_markdown(text: str) -> str:
    """Sanitised HTML of `text`, no mentions resolved."""
    return render(parse(text))


# Text no Markdown rule can touch: letters and digits (any script), spaces and a few marks,
# starting with a letter, a full stop only before a space or the end (no domain for linkify,
# no list marker). It renders as itself in one paragraph, with nothing to escape: the send
# path skips the parser for it (tests/messages/test_markdown.py checks the equivalence).
_UNTOUCHED = re.compile(r"[^\W\d_](?:[^\W_]|[ ,;?!']|\.(?= |\Z))*")


def plain_paragraph(text: str) -> str | None:
    """The HTML of `text` when Markdown would leave it as it is, else None."""
    untouched = _UNTOUCHED.fullmatch(text) and not text.endswith(" ")  # Markdown trims it
    return f"<p>{text}</p>" if untouched else None


def render_plain(text: str) -> str:
    """HTML of text that is not markdown (system messages)."""
    return f"<p>{html.escape(text)}</p>"


def sanitise(fragment: str) -> str:
    return _cleaner.clean(fragment).strip()
