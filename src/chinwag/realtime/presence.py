"""Who is online: users with at least one open socket (kept by the realtime gateway)."""

from __future__ import annotations


class Presence:
    """Per-process registry of open sockets per user."""

    def __init__(self) -> None:
        self._sockets: dict[int, int] = {}

    def connected(self, user_id: int) -> bool:
        """Count a socket; True when it is the user's first (they just came online)."""
        self._sockets[user_id] = self._sockets.get(user_id, 0) + 1
        return self._sockets[user_id] == 1

    def disconnected(self, user_id: int) -> bool:
        """Forget a socket; True when it was the user's last (they just went offline)."""
        left = self._sockets.get(user_id, 0) - 1
        if left > 0:
            self._sockets[user_id] = left
            return False
        self._sockets.pop(user_id, None)
        return True

    async def online_user_ids(self) -> set[int]:
        return set(self._sockets)

    async def is_online(self, user_id: int) -> bool:
        return user_id in self._sockets
