"""Frames a client may send at will cost a log line at most a few times a minute: a text frame
that isn't UTF-8 is answered like any frame that isn't JSON text (an `error`, the socket stays
open) without a log line, and what uvicorn's own protocol would log for each is rate-limited."""

from __future__ import annotations

import io
import logging

import pytest

from tests.realtime.conftest import LogWatch
from tests.realtime.helpers import OP_CLOSE, OP_TEXT, RawSocket

NOT_UTF8 = b'{"type": "ping", "x": "\xff\xfe"}'
BAD_FRAMES = 200


@pytest.fixture
def logged(live):
    """Records at WARNING and up of the server's chinwag and uvicorn loggers."""
    watch = LogWatch()
    watch.setLevel(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("chinwag", "uvicorn", "uvicorn.error")]
    for logger in loggers:
        logger.handlers.insert(0, watch)
    yield watch
    for logger in loggers:
        logger.removeHandler(watch)


@pytest.fixture
def written(live):
    """What the server's log handler (the one create_app configured) writes."""
    handlers = logging.getLogger("uvicorn.error").handlers
    handler = next(h for h in handlers if isinstance(h, logging.StreamHandler))
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


async def test_text_that_is_not_utf8_gets_an_error_frame_and_no_log_line(
    live, people, logged, written
):
    (ana,) = await people("ana")
    socket = await RawSocket.open(live.url, ana.access_token)
    assert (await socket.read_event())["type"] == "ready"

    for _ in range(BAD_FRAMES):
        await socket.send_frame(OP_TEXT, NOT_UTF8)
    answers = [await socket.read_event() for _ in range(BAD_FRAMES)]
    assert {(a["type"], a["code"]) for a in answers} == {("error", "invalid_frame")}

    await socket.send_event({"type": "ping"})  # still open, still served
    assert await socket.read_event() == {"type": "pong"}
    socket.close()
    assert [r.getMessage() for r in logged.records] == []
    assert "Traceback" not in written.getvalue()


@pytest.mark.parametrize("server_options", [{"ws": "websockets-sansio"}], ids=["uvicorn-stock"])
async def test_repeated_log_lines_are_bounded(live, people, written, server_options):
    # uvicorn's own protocol logs an ERROR with a traceback and closes 1007 for each such
    # frame: one socket per frame, as a client reconnecting to flood the log would.
    (ana,) = await people("ana")
    for _ in range(BAD_FRAMES):
        socket = await RawSocket.open(live.url, ana.access_token)
        await socket.send_frame(OP_TEXT, NOT_UTF8)
        frames = await socket.frames_until_eof()  # uvicorn logs before it closes
        assert frames[-1][0] == OP_CLOSE
        socket.close()

    lines = written.getvalue().splitlines()
    logged_lines = [line for line in lines if "Invalid UTF-8 sequence" in line]
    assert 1 <= len(logged_lines) <= 10, len(logged_lines)
    assert sum("Traceback" in line for line in lines) <= 10
