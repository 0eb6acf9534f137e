"""Slash commands typed in the composer, run where a send would be stored.

messages.service.send_message asks `run_command` about every text that starts with `/`; the
answer is either a message to send after all (`/me`, `/shrug`, an escaped `//`), or an answer
for the sender alone that is never stored (`/help`, an unknown command, what `/topic`,
`/invite`, `/leave` and `/mute` did). Each command calls the service the panels call, so the
permissions and the events are theirs: a member's `/topic` is refused as their PATCH would be
(403 insufficient_role)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

from chinwag.accounts import store as accounts_store
from chinwag.accounts.models import User
from chinwag.chats import members
from chinwag.chats import service as chats
from chinwag.chats.schemas import ChatPatch
from chinwag.commands.parsing import SHRUG, Command, help_text, parse_command
from chinwag.context import AppContext
from chinwag.errors import Invalid, NotFound
from chinwag.membership.store import member_chat
from chinwag.notifications import service as notifications


@dataclass(frozen=True, slots=True)
class Post:
    """Send this after all: `text` as a message of `kind` ("text", or "me" for an emote)."""

    text: str
    kind: str = "text"


@dataclass(frozen=True, slots=True)
class Answer:
    """For the sender alone, never stored: which command, whether it was one, what it says."""

    command: str
    text: str
    ok: bool = True

    def as_dict(self) -> dict:
        return {"command": self.command, "ok": self.ok, "text": self.text}


def _needs(command: Command, usage: str) -> str:
    if not command.argument:
        raise Invalid(f"Usage: /{command.name} {usage}")
    return command.argument


async def _topic(ctx: AppContext, sender: User, chat_id: int, command: Command) -> Answer:
    text = _needs(command, "<text>")
    try:
        patch = ChatPatch(description=text)
    except ValidationError:
        raise Invalid("The topic is at most 2000 characters") from None
    await chats.update_chat(ctx, sender, chat_id, patch, announce_description=True)
    return Answer("topic", f"The topic is now: {text}")


async def _invite(ctx: AppContext, sender: User, chat_id: int, command: Command) -> Answer:
    names = _needs(command, "@user").split()
    user_ids = []
    for name in names:
        user_id = await ctx.db.read(accounts_store.id_by_username, name.removeprefix("@"))
        if user_id is None:
            raise NotFound(f"Nobody is called {name}")
        user_ids.append(user_id)
    added = await members.add_members(ctx, sender, chat_id, user_ids)
    if not added:
        return Answer("invite", "They are in this group already.")
    who = ", ".join("@" + m["user"]["username"] for m in added)
    return Answer("invite", f"Added {who}.")


async def _leave(ctx: AppContext, sender: User, chat_id: int, command: Command) -> Answer:
    await members.leave(ctx, sender, chat_id)
    return Answer("leave", "You left the group.")


async def _mute(ctx: AppContext, sender: User, chat_id: int, command: Command) -> Answer:
    muted = command.name == "mute"
    await notifications.set_muted(ctx, sender.id, chat_id, muted)
    if muted:
        return Answer("mute", "This chat is muted: no pushes or emails from it. /unmute ends it.")
    return Answer("unmute", "This chat's notifications are back on.")


async def _in_chat(ctx: AppContext, sender: User, chat_id: int) -> None:
    """An answer that changes nothing is still only for the chat's members: the same 404
    (or 403 for a public group) as a send."""
    await ctx.db.read(member_chat, chat_id, sender.id)


async def _remind(ctx: AppContext, sender: User, chat_id: int, command: Command) -> Answer:
    await _in_chat(ctx, sender, chat_id)
    return Answer("remind", "Reminders are not available yet.", ok=False)


async def _help(ctx: AppContext, sender: User, chat_id: int, command: Command) -> Answer:
    await _in_chat(ctx, sender, chat_id)
    return Answer("help", help_text())


_RUNS = {
    "topic": _topic,
    "invite": _invite,
    "leave": _leave,
    "mute": _mute,
    "unmute": _mute,
    "remind": _remind,
    "help": _help,
}


async def run_command(ctx: AppContext, sender: User, chat_id: int, text: str) -> Post | Answer:
    """What `text` (stripped, starting with `/`) does in this chat: a Post to send, or an
    Answer for the sender once the command has run. Failures raise the services' errors."""
    command = parse_command(text)
    if command is None:
        return Post(text)
    if isinstance(command, str):
        return Post(command)  # `//...`: the text with one slash fewer
    if command.name == "me":
        return Post(_needs(command, "<text>"), kind="me")
    if command.name == "shrug":
        return Post(f"{command.argument} {SHRUG}".lstrip())
    run = _RUNS.get(command.name)
    if run is None:
        await _in_chat(ctx, sender, chat_id)
        return Answer(command.name, f"/{command.name} is not a command. {help_text()}", ok=False)
    return await run(ctx, sender, chat_id, command)
