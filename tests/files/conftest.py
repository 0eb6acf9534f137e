"""Fixtures of the files tests: the live-server ones of the realtime tests, for uploads over a
real socket and sends over a real WebSocket."""

from __future__ import annotations

from tests.realtime.conftest import connect, http, live, people, server_options  # noqa: F401
