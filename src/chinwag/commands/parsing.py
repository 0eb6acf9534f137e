"""What a typed text asks for: a slash command (its name and the rest), an escaped slash, or
nothing special.

A command is `/` and a word of letters at the very start, then a space or the end: `/me
waves`, `/help`. `//` escapes: `//me` sends the text `/me`. Anything else that starts with a
slash (`/usr/bin`, `/ 2`, `/5`) is an ordinary message."""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMAND = re.compile(r"/([A-Za-z]+)(?:\s+(.*))?", re.DOTALL)

SHRUG = r"¯\\\_(ツ)\_/¯"  # Markdown escapes: shown as ¯\_(ツ)_/¯, not italics

# name -> (arguments, what it does): the /help text and the web client's list
COMMANDS: dict[str, tuple[str, str]] = {
    "me": ("<text>", "says what you do, as *Ana waves*"),
    "shrug": ("[text]", r"sends your text followed by ¯\_(ツ)_/¯"),
    "topic": ("<text>", "sets the group's description (admins)"),
    "invite": ("@user", "adds someone to the group (admins)"),
    "leave": ("", "leaves this group"),
    "mute": ("", "mutes this chat's notifications for you"),
    "unmute": ("", "turns this chat's notifications back on"),
    "remind": ("", "reminders (not available yet)"),
    "help": ("", "lists these commands"),
}


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # lower case, as in COMMANDS (or an unknown one)
    argument: str  # the rest of the text, stripped; "" when none


def parse_command(text: str) -> Command | str | None:
    """A Command for `/name ...`; the text to send for an escaped `//...` (one slash
    dropped); None when the text is an ordinary message."""
    if text.startswith("//"):
        return text[1:]
    match = _COMMAND.fullmatch(text)
    if match is None:
        return None
    return Command(match.group(1).lower(), (match.group(2) or "").strip())


def help_text() -> str:
    lines = ["Commands:"]
    for name, (arguments, does) in COMMANDS.items():
        lines.append(f"/{name} {arguments}".rstrip() + f" — {does}")
    lines.append("Start with // to send a text that begins with a slash.")
    return "\n".join(lines)
