"""What counts as a command, and the shortcodes, without a server: pure functions."""

from __future__ import annotations

import pytest

from chinwag.commands.parsing import Command, parse_command
from chinwag.messages.shortcodes import emojize


@pytest.mark.parametrize(
    ("typed", "parsed"),
    [
        ("/me waves", Command("me", "waves")),
        ("/HELP", Command("help", "")),
        ("/topic  two\nlines ", Command("topic", "two\nlines")),
        ("//me", "/me"),
        ("///", "//"),
        ("/usr/bin", None),
        ("/ 2", None),
        ("/5", None),
        ("/", None),
        ("hello /me", None),
    ],
)
def test_what_is_a_command(typed, parsed):
    assert parse_command(typed) == parsed


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        (":+1::heart:", "👍❤️"),
        (":WAVE:", "👋"),
        ("a:b:c", "a:b:c"),
        ("``:wave:`` :wave:", "``:wave:`` 👋"),
        ("~~~\n:wave:\n~~~\n:wave:", "~~~\n:wave:\n~~~\n👋"),
        ("```\nunclosed :wave:", "```\nunclosed :wave:"),
        ("no colons", "no colons"),
    ],
)
def test_shortcodes(typed, sent):
    assert emojize(typed) == sent
