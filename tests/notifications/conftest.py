"""Fixtures of the notifications tests: the live-server ones of the realtime tests (a real
socket decides who is away), a real SMTP server (aiosmtpd) for the missed-message mail."""

from __future__ import annotations

import pytest

from tests.realtime.conftest import connect, http, live, people, server_options  # noqa: F401


@pytest.fixture(scope="session")
def push_service():
    from tests.pushservice import run_push_service

    yield from run_push_service()
