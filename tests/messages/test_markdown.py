"""Markdown rendering: the subset messages support, links that open safely, and sanitising
that lets no script through, whatever the text (known payloads and a property test)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chinwag.messages import rendering
from chinwag.messages.rendering import parse, render, render_markdown
from tests.messages.helpers import delete, direct, edit, history, sent

# The contract, written out here so that widening the renderer's allowlist fails a test.
TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th",
    "td", "span",
}  # fmt: skip
REL = "noopener noreferrer nofollow"
ATTRIBUTES = {
    "a": {"href": None, "title": None, "target": re.compile(r"_blank"), "rel": re.compile(REL)},
    "ol": {"start": re.compile(r"\d{1,9}")},
    "span": {"class": re.compile(r"mention( mention-all)?"), "data-user-id": re.compile(r"\d+")},
}
SAFE_HREF = re.compile(r"(https?|mailto):", re.IGNORECASE)


class AllowlistCheck(HTMLParser):
    """Parses rendered HTML as a browser would and records anything outside the contract."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag not in TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ATTRIBUTES.get(tag, {})
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif allowed[name] is not None and not allowed[name].fullmatch(value or ""):
                self.problems.append(f"{name}={value!r} on <{tag}>")
        if tag == "a":
            href = found.get("href")
            if href is not None and not SAFE_HREF.match(href):
                self.problems.append(f"href {href!r}")
            if found.get("target") != "_blank" or found.get("rel") != REL:
                self.problems.append(f"link without target/rel: {found}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data!r}")


def checked(html: str) -> AllowlistCheck:
    check = AllowlistCheck()
    check.feed(html)
    check.close()
    assert check.problems == [], (html, check.problems)
    return check


def links(html: str) -> list[dict]:
    return [attrs for tag, attrs in checked(html).tags if tag == "a"]


def test_the_renderer_allows_no_more_than_the_contract():
    assert rendering.ALLOWED_TAGS <= TAGS
    assert rendering.LINK_REL == REL


# The subset


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**bold** and __bold__", "<p><strong>bold</strong> and <strong>bold</strong></p>"),
        ("*it* and _it_", "<p><em>it</em> and <em>it</em></p>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("use `a < b`", "<p>use <code>a &lt; b</code></p>"),
        ("```python\nif a < b:\n    pass\n```", "<pre><code>if a &lt; b:\n    pass\n</code></pre>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("# Title", "<h1>Title</h1>"),
        ("one  \ntwo", "<p>one<br>\ntwo</p>"),
        ("---", "<hr>"),
        ("2 * 3 * 4 & <5>", "<p>2 * 3 * 4 &amp; &lt;5&gt;</p>"),
    ],
)
def test_markdown_subset(text, html):
    assert render_markdown(text) == html
    checked(html)


def test_tables():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | <b>2</b> |")
    assert [tag for tag, _ in checked(html).tags] == [
        "table", "thead", "tr", "th", "th", "tbody", "tr", "td", "td",
    ]  # fmt: skip
    assert "<td>&lt;b&gt;2&lt;/b&gt;</td>" in html


@pytest.mark.parametrize(
    ("text", "href"),
    [
        ("see https://example.com/a?b=1&c=2 now", "https://example.com/a?b=1&c=2"),
        ("www.example.com", "http://www.example.com"),
        ("<https://example.com>", "https://example.com"),
        ("[docs](https://example.com/docs)", "https://example.com/docs"),
        ("[docs][d]\n\n[d]: https://example.com/ref", "https://example.com/ref"),
        ("[up](HTTP://EXAMPLE.COM)", "HTTP://EXAMPLE.COM"),
        ("write to ana@example.com", "mailto:ana@example.com"),
        ("[mail](mailto:ana@example.com)", "mailto:ana@example.com"),
    ],
)
def test_links_open_in_a_new_tab_without_referrer(text, href):
    found = links(render_markdown(text))
    assert found == [{"href": href, "target": "_blank", "rel": REL}]


def test_link_titles_stay_and_other_schemes_lose_their_href():
    assert links(render_markdown('[x](https://example.com "Example")'))[0]["title"] == "Example"
    for text in (
        "[x](ftp://example.com/f)",
        "ftp://example.com/f",
        "[x](/local)",
        "[x](//evil.com)",
    ):
        found = links(render_markdown(text))
        assert all("href" not in link for link in found), text


# Known payloads

XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<body onload=alert(1)>",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<b <script>alert(1)</script>>",
    "<img src=\"x\" onerror='alert(1)'",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x](java&#09;script:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](\\u006aavascript:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x]( javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    '[x](https://ok.example"onmouseover="alert(1))',
    '[x](https://ok.example "t" onclick="alert(1)")',
    '[x](https://ok.example "\\" onmouseover=\\"alert(1)")',
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "<vbscript:msgbox(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "javascript:alert(1)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    '[x][r]\n\n[r]: <javascript:alert(1)> "t"',
    "[x][r]\n\n[r]: data:text/html,x",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/pixel.png)",
    '![x](https://evil.example/p.png "onerror=alert(1)")',
    "[![x](javascript:alert(1))](https://ok.example)",
    "[x](https://ok.example)<img src=x onerror=alert(1)>",
    "**<img src=x onerror=alert(1)>**",
    "`<script>`</script>`",
    "```<script>\nalert(1)\n```",
    "```html\n<script>alert(1)</script>\n```",
    "| <script>alert(1)</script> |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <svg onload=alert(1)>",
    "- [x](javascript:alert(1))\n- <img onerror=alert(1)>",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "@<script>alert(1)</script>",
    "[@ana](javascript:alert(1))",
]


@pytest.mark.parametrize("payload", XSS)
def test_no_payload_survives(payload):
    for html in (render_markdown(payload), render(parse(payload), {"ana": 7})):
        check = checked(html)
        assert not re.search(r"<(script|img|svg|iframe|math|body|div)\b", html, re.I), html
        assert not any(name.startswith("on") for _, attrs in check.tags for name in attrs)


@pytest.mark.parametrize("payload", [*XSS, '<p lang="en" title="t" dir="rtl" id="x">p</p>'])
def test_the_sanitiser_alone_stops_them_too(payload):
    # Defence in depth: were markdown-it ever to let raw HTML through, nh3 still holds.
    checked(rendering.sanitise(payload))


@pytest.mark.parametrize(
    "payload", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "a < b > c"]
)
def test_html_in_text_is_shown_not_dropped(payload):
    # Raw HTML is off: people see what they typed, escaped.
    html = render_markdown(payload)
    assert html.replace("&lt;", "<").replace("&gt;", ">") == f"<p>{payload}</p>"


def test_images_are_links_not_pictures():
    html = render_markdown("![cat](https://example.com/cat.png)")
    assert "<img" not in html
    assert links(html) == [{"href": "https://example.com/cat.png", "target": "_blank", "rel": REL}]


# Any text at all

FRAGMENTS = [
    "<", ">", "</", "/>", "[", "]", "(", ")", "![", "](", "`", "```", "*", "**", "_", "~~",
    "\\", '"', "'", "=", ":", "//", "&", "&#", ";", "#", "\n", "\n\n", "    ", "> ", "- ",
    "1. ", "|", "---", "[r]: ", "@ana", "@all", "@", "www.", "http://", "https://ok.example",
    "mailto:", "javascript:", "JaVaScRiPt:", "data:", "vbscript:", "&#106;", "&#x6A;",
    "&colon;", "%6A", "\t", "\x00", "\u2028", "\u202e", "<script>", "</script>", "<a href=",
    "<img src=x onerror=alert(1)>", "<svg onload=", "onclick=", "style=", "<!--", "-->",
    "<![CDATA[", "alert(1)", "x", " ",
]  # fmt: skip
hostile_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)), max_size=40).map("".join),
)


@settings(max_examples=300, deadline=None, database=None)
@given(hostile_text)
def test_no_text_yields_anything_outside_the_allowlist(text):
    draft = parse(text)
    checked(render(draft, {name: i for i, name in enumerate(sorted(draft.names), 1)}))
    checked(rendering.sanitise(text))


plain_looking = st.text(alphabet="abzXYéßж語 ,;?!'.0123456789-_*#@:/\n", min_size=1, max_size=30)


@settings(max_examples=500, deadline=None, database=None)
@given(plain_looking)
def test_plain_paragraph_is_what_markdown_renders(text):
    # The send path skips the parser for text plain_paragraph accepts: it must be exact.
    fast = rendering.plain_paragraph(text)
    if fast is not None:
        assert fast == render(parse(text))


one_line = st.lists(
    st.one_of(st.sampled_from([f for f in FRAGMENTS if "\n" not in f]), st.text(max_size=4)),
    min_size=1,
    max_size=20,
).map("".join)


@settings(max_examples=500, deadline=None, database=None)
@given(one_line)
def test_a_line_parsed_inline_only_renders_as_the_full_parse(text):
    # parse() skips the block pass for a line that can only be one paragraph: same tokens.
    draft = parse(text)
    names = {name: i for i, name in enumerate(sorted(draft.names), 1)}
    env: dict = {}
    full = rendering._md.parse(text, env)
    assert draft.names == set(env.get("candidates", ()))
    assert render(draft, names) == render(rendering.Draft(full, env), names)


def test_lines_that_start_a_block_take_the_full_parse():
    starts = ("# title", "> quote", "- item", "1. first", "2) second", "***", "```x", "    code")
    for text in (*starts, "[r]: https://x.example", " lead", "trail ", "a\nb", "\u2028x"):
        assert not rendering._one_paragraph(text), text
    assert rendering._one_paragraph("a **bold** claim with https://example.com and `code`")


def test_plain_paragraph_refuses_what_markdown_would_change():
    for text in ("1. first", "see example.com", "a_b_", "@ana hi", "# title", "x\ny", "a.b"):
        assert rendering.plain_paragraph(text) is None, text
    assert rendering.plain_paragraph("Hi, how are you? Fine. Thanks!") is not None


# End to end


async def test_sent_messages_carry_their_html(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    message = await sent(client, ana, chat_["id"], "**hi** <b>there</b>")
    expected = "<p><strong>hi</strong> &lt;b&gt;there&lt;/b&gt;</p>"
    assert message["html"] == expected
    assert message["text"] == "**hi** <b>there</b>"
    assert [m["html"] for m in await history(client, bob, chat_["id"])] == [expected]
    assert events.of("message.new", chat_["id"])[0]["message"]["html"] == expected


async def test_edits_render_again_and_deletes_clear_html(client, ana, bob, events):
    chat_ = await direct(client, ana, bob)
    await events.watch(chat_["id"])
    message = await sent(client, ana, chat_["id"], "*draft*")
    response = await edit(client, ana, message["id"], "[final](javascript:alert(1)) ~~x~~")
    assert response.status_code == 200, response.text
    html = "<p>[final](javascript:alert(1)) <s>x</s></p>"
    assert response.json()["html"] == html
    assert events.of("message.updated", chat_["id"])[0]["message"]["html"] == html
    assert (await history(client, bob, chat_["id"]))[0]["html"] == html

    assert (await delete(client, ana, message["id"])).status_code == 204
    [gone] = await history(client, bob, chat_["id"])
    assert gone["deleted"] is True and gone["html"] is None and gone["text"] is None
