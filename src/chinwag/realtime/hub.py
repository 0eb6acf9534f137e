"""The hub: this process's open connections, which chats each local user is in, and the
routing of broker events to them. A process subscribes to a chat's channel only while it
holds a connection of one of that chat's members."""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter, defaultdict

from chinwag.limits import release
from chinwag.realtime.broker import Broker
from chinwag.realtime.channels import PRESENCE_CHANNEL, chat_channel, user_channel
from chinwag.realtime.connection import CLOSE_POLICY, Connection

log = logging.getLogger("chinwag.realtime")

# Fast path: these are delivered as they are, without parsing.
PLAIN_PREFIXES = ('{"type":"message.', '{"type":"read"', '{"type":"reaction.')


# Presence changes arriving within this long of the last one told are told together.
PRESENCE_WINDOW = 0.2


def presence_frame(status: str, user_ids: list[int]) -> str:
    """`presence` for one person, as the protocol has it; for several, `user_ids` lists them
    all (and `user_id` is the first, for clients that read only that)."""
    event: dict = {"type": "presence", "user_id": user_ids[0], "status": status}
    if len(user_ids) > 1:
        event["user_ids"] = user_ids
    return json.dumps(event, separators=(",", ":"))


class Hub:
    def __init__(self, broker: Broker, opening_at_once: int = 64) -> None:
        self.broker = broker
        # Sockets between handshake and `ready` (authentication, chats, the ready frame: the
        # database's work) at one time; the others wait their turn (gateway).
        self.opening = asyncio.Semaphore(opening_at_once)
        self.connections: dict[int, set[Connection]] = defaultdict(set)
        self.user_chats: dict[int, set[int]] = {}  # local users -> their chats
        self.chat_users: dict[int, set[int]] = defaultdict(set)  # chat -> local members
        # Sockets claimed (open or opening) per user and per client address, for the caps.
        self.user_sockets: Counter[int] = Counter()
        self.address_sockets: Counter[str] = Counter()
        self._pending: set[asyncio.Task] = set()
        self._presence_timer: asyncio.TimerHandle | None = None
        self._presence_pending: dict[int, tuple[str, tuple[int, ...]]] = {}
        broker.set_listener(self.deliver)

    async def start(self) -> None:
        await self.broker.subscribe(PRESENCE_CHANNEL)

    # -- connections -------------------------------------------------------------------

    async def add(self, connection: Connection, chat_ids: set[int]) -> bool:
        """Register a connection; True when it is its user's first on this process."""
        user_id = connection.user_id
        first = not self.connections[user_id]
        self.connections[user_id].add(connection)
        if first:
            self.user_chats[user_id] = set()
            await self.broker.subscribe(user_channel(user_id))
        for chat_id in chat_ids:
            if self._note_join(user_id, chat_id):
                await self.broker.subscribe(chat_channel(chat_id))
        return first

    async def remove(self, connection: Connection) -> bool:
        """Forget a connection; True when it was its user's last on this process."""
        user_id = connection.user_id
        sockets = self.connections.get(user_id)
        if not sockets or connection not in sockets:
            return False
        sockets.discard(connection)
        if sockets:
            return False
        del self.connections[user_id]
        for chat_id in list(self.user_chats.pop(user_id, ())):
            if self._note_leave(user_id, chat_id):
                await self.broker.unsubscribe(chat_channel(chat_id))
        await self.broker.unsubscribe(user_channel(user_id))
        return True

    def _note_join(self, user_id: int, chat_id: int) -> bool:
        """Record a local user in a chat; True when the chat's channel must be subscribed."""
        chats = self.user_chats.get(user_id)
        if chats is None or chat_id in chats:
            return False
        chats.add(chat_id)
        members = self.chat_users[chat_id]
        members.add(user_id)
        return len(members) == 1

    def _note_leave(self, user_id: int, chat_id: int) -> bool:
        """Forget a local user in a chat; True when the chat's channel can be unsubscribed."""
        self.user_chats.get(user_id, set()).discard(chat_id)
        members = self.chat_users.get(chat_id)
        if members is None or user_id not in members:
            return False
        members.discard(user_id)
        if members:
            return False
        del self.chat_users[chat_id]
        return True

    def claim_socket(
        self, user_id: int, address: str, per_user: int, per_address: int | None
    ) -> str | None:
        """Count a socket about to open, before its first await (so that a burst of opens
        can't all pass the caps); None if it may, else which cap it would pass."""
        if self.user_sockets[user_id] >= per_user:
            return f"at most {per_user} sockets per account"
        if per_address is not None and self.address_sockets[address] >= per_address:
            return f"at most {per_address} sockets per address"
        self.user_sockets[user_id] += 1
        self.address_sockets[address] += 1
        return None

    def release_socket(self, user_id: int, address: str) -> None:
        release(self.user_sockets, user_id)
        release(self.address_sockets, address)

    def is_member(self, user_id: int, chat_id: int) -> bool:
        return chat_id in self.user_chats.get(user_id, ())

    def local_contacts(self, chat_ids) -> set[int]:
        """Local users who share at least one of these chats."""
        users: set[int] = set()
        for chat_id in chat_ids:
            users |= self.chat_users.get(chat_id, set())
        return users

    # -- delivery ----------------------------------------------------------------------

    def deliver(self, channel: str, text: str) -> None:
        """Route one broker event to local connections (called for every event: keep it lean)."""
        kind, _, key = channel.partition(":")
        if kind == "chat":
            chat_id = int(key)
            if text.startswith(PLAIN_PREFIXES):
                self._to_chat(chat_id, text)
            else:
                self._chat_event(chat_id, text, json.loads(text))
        elif kind == "user":
            self._user_event(int(key), text, json.loads(text))
        elif channel == PRESENCE_CHANNEL:
            self._presence_event(json.loads(text))

    def _to_chat(
        self, chat_id: int, text: str, *, skip_user: int | None = None, droppable: bool = False
    ) -> None:
        for user_id in self.chat_users.get(chat_id, ()):
            if user_id != skip_user:
                for connection in self.connections.get(user_id, ()):
                    connection.send(text, droppable)

    def _to_user(self, user_id: int, text: str) -> None:
        for connection in self.connections.get(user_id, ()):
            connection.send(text)

    def _chat_event(self, chat_id: int, text: str, event: dict) -> None:
        kind = event.get("type")
        if kind == "typing":
            self._to_chat(chat_id, text, skip_user=event["user_id"], droppable=True)
            return
        self._to_chat(chat_id, text)
        if kind == "member.left":
            # Told first, then cut off: they receive nothing more from this chat.
            self._leave(event["user_id"], chat_id)
        elif kind == "chat.deleted":
            for user_id in list(self.chat_users.get(chat_id, ())):
                self._leave(user_id, chat_id)

    def _leave(self, user_id: int, chat_id: int) -> None:
        if self._note_leave(user_id, chat_id):
            self._schedule(self.broker.unsubscribe(chat_channel(chat_id)))

    def _user_event(self, user_id: int, text: str, event: dict) -> None:
        kind = event.get("type")
        if kind == "session.revoked":
            revoked = set(event["session_ids"])
            for connection in list(self.connections.get(user_id, ())):
                if connection.session_id in revoked:
                    connection.close(CLOSE_POLICY, "session ended")
            return
        if kind == "me.updated":
            for connection in self.connections.get(user_id, ()):
                if connection.on_account is not None:
                    connection.on_account(event["user"])
        elif kind == "chat.created" and self._note_join(user_id, event["chat"]["id"]):
            self._schedule(self.broker.subscribe(chat_channel(event["chat"]["id"])))
        self._to_user(user_id, text)

    def _presence_event(self, event: dict) -> None:
        """Told at once when nothing else is; during a burst (a group coming online after a
        restart), coalesced per PRESENCE_WINDOW into one frame per recipient, so that the
        frames grow with the people, not with their square."""
        change = (event["status"], tuple(event.get("chat_ids", ())))
        if self._presence_timer is None:
            self._tell_presence({event["user_id"]: change})
            self._presence_timer = asyncio.get_running_loop().call_later(
                PRESENCE_WINDOW, self._presence_window_over
            )
        else:
            self._presence_pending[event["user_id"]] = change  # the latest change wins

    def _presence_window_over(self) -> None:
        self._presence_timer = None
        if self._presence_pending:
            pending, self._presence_pending = self._presence_pending, {}
            self._tell_presence(pending)
            self._presence_timer = asyncio.get_running_loop().call_later(
                PRESENCE_WINDOW, self._presence_window_over
            )

    def _tell_presence(self, changes: dict[int, tuple[str, tuple[int, ...]]]) -> None:
        """Each local contact of the people in `changes` gets one frame per status listing
        those it shares a chat with; recipients with the same list share its text."""
        for status in ("online", "offline"):
            told: dict[int, list[int]] = defaultdict(list)
            for subject, (subject_status, chat_ids) in changes.items():
                if subject_status == status:
                    for user_id in self.local_contacts(chat_ids):
                        if user_id != subject:
                            told[user_id].append(subject)
            texts: dict[tuple[int, ...], str] = {}
            for user_id, subjects in told.items():
                key = tuple(subjects)
                if key not in texts:
                    texts[key] = presence_frame(status, subjects)
                self._to_user(user_id, texts[key])

    def _schedule(self, coroutine) -> None:
        # Subscription changes touch the broker (I/O); delivery itself never waits on it.
        task = asyncio.get_running_loop().create_task(coroutine)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def close_all(self, code: int = 1012, reason: str = "server shutting down") -> None:
        if self._presence_timer is not None:
            self._presence_timer.cancel()
            self._presence_timer = None
        for sockets in list(self.connections.values()):
            for connection in list(sockets):
                connection.close(code, reason)
