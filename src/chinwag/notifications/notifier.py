"""What reaching people away from the app needs while a process runs: the VAPID key, the
tasks sending pushes after a commit (awaited on shutdown), and which chats are direct (a
chat's kind never changes, so a group message that names nobody costs no query)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from pathlib import Path

from chinwag.notifications.vapid import application_server_key, load_or_create

log = logging.getLogger("chinwag.notifications")
KINDS_KEPT = 100_000  # chat id -> kind, forgotten all at once past this


class Notifier:
    def __init__(self, data_dir: Path) -> None:
        self.vapid = load_or_create(data_dir)
        self.public_key = application_server_key(self.vapid)
        self.kinds: dict[int, str] = {}
        self._tasks: set[asyncio.Task] = set()

    def remember_kind(self, chat_id: int, kind: str) -> None:
        if len(self.kinds) >= KINDS_KEPT:
            self.kinds.clear()
        self.kinds[chat_id] = kind

    def spawn(self, work: Coroutine) -> None:
        """Run `work` after the request that caused it has answered."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("notifying failed", exc_info=task.exception())

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
