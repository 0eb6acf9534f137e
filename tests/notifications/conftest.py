"""Fixtures of the notifications tests: the live-server ones of the realtime tests (a real
socket decides who is away), a real SMTP server (aiosmtpd) for the missed-message mail."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from tests.accounts.test_password_reset import Inbox, free_port
from tests.realtime.conftest import connect, http, live, people, server_options  # noqa: F401


@pytest.fixture(scope="module")
def smtp_server():
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def inbox(smtp_server) -> Inbox:
    smtp_server.handler.clear()
    return smtp_server.handler


@pytest.fixture(scope="session")
def push_service():
    from tests.pushservice import run_push_service

    yield from run_push_service()
