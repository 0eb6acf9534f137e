"""Logging through the standard `logging` module: text or JSON lines, tokens always redacted."""

from __future__ import annotations

import json
import logging
import re
import time

from chinwag.metrics import HTTP_REQUESTS, HTTP_SECONDS

# Defence in depth: whatever a log line carries, these never get through.
SECRET_PATTERNS = [
    (re.compile(r"(?i)([?&](?:token|access_token|refresh_token)=)[^&\s\"']+"), r"\1[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
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


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    handler = logging.StreamHandler()
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
            HTTP_REQUESTS.labels(method, status).inc()
            HTTP_SECONDS.observe(seconds)
            self.log.info(
                "%s %s %s %.2fms",
                method,
                path,
                status,
                ms,
                extra={"method": method, "path": path, "status": status, "duration_ms": ms},
            )
