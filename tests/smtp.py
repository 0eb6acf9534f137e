"""A real SMTP server for the tests that mail (aiosmtpd): password resets, verification links,
invitations, missed messages. The `smtp_server` and `inbox` fixtures (tests/conftest.py) start
one per module; a test waits on the mail's arrival, never on a sleep."""

from __future__ import annotations

import asyncio
import socket
import threading

from aiosmtpd.controller import Controller

MAIL_TIMEOUT = 10  # seconds; the mail normally arrives within milliseconds


class Inbox:
    """An aiosmtpd handler that keeps every message and signals each arrival."""

    def __init__(self) -> None:
        self.messages: list = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        self.messages.append(envelope)
        self.arrived.set()
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        self.messages.clear()
        self.arrived.clear()

    async def wait(self) -> None:
        assert await asyncio.to_thread(self.arrived.wait, MAIL_TIMEOUT), "no mail arrived"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server() -> Controller:
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
