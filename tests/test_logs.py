"""A warning or error repeated at will (a client's bad frames) is written a few times a minute,
then summed up in one line; the request log (INFO) is never thinned."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from chinwag.logs import RepeatLimit, configure_logging


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def written() -> Iterator[io.StringIO]:
    """configure_logging()'s defaults, its handler writing here."""
    configure_logging("INFO", "text")
    handler = logging.getLogger("chinwag").handlers[0]
    stream = io.StringIO()
    handler.setStream(stream)
    yield stream
    configure_logging("INFO", "text")  # a handler on the real stderr again


def lines_with(stream: io.StringIO, text: str) -> list[str]:
    return [line for line in stream.getvalue().splitlines() if text in line]


def test_repeated_errors_of_uvicorn_and_chinwag_are_bounded(written):
    for number in range(200):
        try:
            raise ValueError(number)
        except ValueError:
            logging.getLogger("uvicorn.error").exception("Invalid UTF-8 sequence")
            logging.getLogger("chinwag.realtime").exception("frame from user %s failed", number)
    assert len(lines_with(written, "Invalid UTF-8 sequence")) == 10
    assert len(lines_with(written, "frame from user")) == 10  # one template, any arguments
    assert len(lines_with(written, "Traceback")) == 20


def test_the_request_log_is_whole(written):
    for _ in range(200):
        logging.getLogger("chinwag.http").info("GET %s %s", "/healthz", 200)
    assert len(lines_with(written, "GET /healthz 200")) == 200


def test_different_errors_are_counted_apart(written):
    log = logging.getLogger("chinwag.realtime")
    for _ in range(20):
        log.error("one thing")
        log.error("another thing")
        log.warning("one thing")
    assert len(lines_with(written, "ERROR chinwag.realtime one thing")) == 10
    assert len(lines_with(written, "ERROR chinwag.realtime another thing")) == 10
    assert len(lines_with(written, "WARNING chinwag.realtime one thing")) == 10


def test_no_limit_when_the_setting_is_zero():
    configure_logging("INFO", "text", repeats_per_minute=0)
    handler = logging.getLogger("uvicorn.error").handlers[0]
    stream = io.StringIO()
    handler.setStream(stream)
    try:
        for _ in range(200):
            logging.getLogger("uvicorn.error").error("again")
    finally:
        configure_logging("INFO", "text")
    assert len(lines_with(stream, "again")) == 200


@pytest.fixture
def limited() -> Iterator[tuple[logging.Logger, io.StringIO, Clock]]:
    """A logger of this test's own behind a RepeatLimit(3) on a clock the test moves."""
    clock, stream = Clock(), io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(RepeatLimit(3, window=60, clock=clock))
    logger = logging.getLogger("tests.repeat_limit")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    yield logger, stream, clock
    logger.handlers[:] = []


def test_a_summary_line_follows_the_window(limited):
    logger, stream, clock = limited
    for _ in range(50):
        logger.error("bad frame from %s", "10.0.0.1")
    clock.now += 59
    logger.error("bad frame from %s", "10.0.0.1")
    first = "ERROR tests.repeat_limit bad frame from 10.0.0.1"
    assert stream.getvalue().splitlines() == [first] * 3

    clock.now += 1  # the window is over: the next record, of any kind, brings the summary
    logger.info("something else")
    assert stream.getvalue().splitlines()[3:] == [
        "ERROR tests.repeat_limit bad frame from %s (48 more suppressed within 60 s)",
        "INFO tests.repeat_limit something else",
    ]
    logger.error("bad frame from %s", "10.0.0.1")  # a new window
    assert stream.getvalue().splitlines()[-1] == first


def test_no_summary_when_nothing_was_dropped(limited):
    logger, stream, clock = limited
    for _ in range(3):
        logger.warning("slow database")
    clock.now += 61
    logger.warning("slow database")
    assert stream.getvalue().splitlines() == ["WARNING tests.repeat_limit slow database"] * 4


def test_the_kinds_followed_are_bounded(limited):
    logger, stream, _ = limited
    for number in range(RepeatLimit.MAX_KINDS * 3):
        logger.error(f"an f-string line {number}")  # noqa: G004 - what the bound is for
    limit = logger.handlers[0].filters[0]
    assert len(limit._seen) <= RepeatLimit.MAX_KINDS
    assert len(stream.getvalue().splitlines()) == RepeatLimit.MAX_KINDS * 3
