"""Logging through the standard `logging` module: text or JSON lines, tokens always redacted,
and a line a client can provoke at will (a bad frame's error) only a few times a minute."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable

from chinwag.metrics import HTTP_REQUESTS, HTTP_SECONDS

# Defence in depth: whatever a log line carries, these never get through.
SECRET_PATTERNS = [
    (re.compile(r"(?i)([?&](?:token|access_token|refresh_token)=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
    # a token in JSON: a Socket.IO connect carries `auth: {token}` (the frame logged at DEBUG)
    (
        re.compile(r"(?i)(\"(?:token|access_token|refresh_token)\"\s*:\s*\")[^\"\s']+"),
        r"\1[redacted]",
    ),
    (re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+"), "[redacted-jwt]"),
]
EXTRA_FIELDS = ("event", "user_id", "method", "path", "status", "duration_ms", "chat_id")


def redact(text: str) -> str:
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class RepeatLimit(logging.Filter):
    """At most `limit` records per `window` seconds of one logger, level and message (its
    template, so one line of varying arguments counts as one); the rest are dropped and
    counted. When the window is over, one line of the same logger and level says how many
    were dropped; it comes just before the next record logged, of any kind (no timer thread
    for it: a running server logs often enough).

    Only WARNING and up: those are what a client can provoke (with a traceback, as uvicorn
    does for each frame that isn't UTF-8), while INFO is the request log, which must stay
    whole."""

    SUMMARY = "%s (%d more suppressed within %d s)"
    MAX_KINDS = 1024  # distinct messages followed at once (f-strings would be unbounded)

    def __init__(
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.limit, self.window, self.clock = limit, window, clock
        # (logger, level, template) -> [window start, records seen]; oldest window first
        self._seen: dict[tuple[str, int, str], list] = {}
        self._lock = threading.Lock()  # records come from any thread (to_thread units)

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        with self._lock:
            summaries = self._close_windows(now)
            passes = record.levelno < logging.WARNING or self._count(record, now)
        for summary in summaries:  # outside the lock: they come through this filter too
            logging.getLogger(summary.name).handle(summary)
        return passes

    def _count(self, record: logging.LogRecord, now: float) -> bool:
        key = (record.name, record.levelno, str(record.msg))
        seen = self._seen.get(key)
        if seen is None:
            self._seen[key] = [now, 1]
            return True
        seen[1] += 1
        return seen[1] <= self.limit

    def _close_windows(self, now: float) -> list[logging.LogRecord]:
        summaries = []
        while self._seen:
            key, (started, count) = next(iter(self._seen.items()))
            if started + self.window > now and len(self._seen) < self.MAX_KINDS:
                break
            del self._seen[key]
            if count > self.limit:
                summaries.append(self._summary(key, count - self.limit))
        return summaries

    def _summary(self, key: tuple[str, int, str], dropped: int) -> logging.LogRecord:
        name, level, template = key
        args = (template, dropped, round(self.window))
        return logging.getLogger(name).makeRecord(name, level, "", 0, self.SUMMARY, args, None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in EXTRA_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exc_info"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text", repeats_per_minute: int = 10) -> None:
    handler = logging.StreamHandler()
    if repeats_per_minute:
        # On the handler, not a logger: a logger's filters miss its children's records.
        handler.addFilter(RepeatLimit(repeats_per_minute))
    handler.addFilter(RedactingFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger("chinwag")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
    # uvicorn's own lines (errors, start-up) get the same redaction and format.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False


def route_template(scope) -> str:
    """The route that answered, as written (`/api/chats/{chat_id}`), never the path itself:
    one series per route, not per chat, file or probe of a scanner. Static files count under
    their mount; what no route matched is `unmatched`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if path else "unmatched"


class RequestLogMiddleware:
    """Counts each HTTP request and logs one line for it: method, path (never the query: it
    may hold a token), status and duration."""

    def __init__(self, app) -> None:
        self.app = app
        self.log = logging.getLogger("chinwag.http")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = 500

        async def send_with_status(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            seconds = time.perf_counter() - started
            ms = round(seconds * 1000, 2)
            method, path = scope["method"], scope["path"]
            route = route_template(scope)
            HTTP_REQUESTS.labels(method, route, status).inc()
            HTTP_SECONDS.labels(method, route).observe(seconds)
            self.log.info(
                "%s %s %s %.2fms",
                method,
                path,
                status,
                ms,
                extra={"method": method, "path": path, "status": status, "duration_ms": ms},
            )
