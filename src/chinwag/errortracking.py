"""Optional error tracking: with CHINWAG_SENTRY_DSN set, unhandled exceptions and logged
errors go to Sentry (or anything speaking its protocol: GlitchTip, a self-hosted Sentry).

Nothing that signs someone in leaves: no frame's local variables and no request body are
sent at all; sentry-sdk's scrubber drops the values of keys such as `authorization`, `cookie`,
`token`, `password` wherever they are in an event (headers, cookies, extra data); and every
remaining string passes the same redaction as the log lines (tokens in query strings, bearer
values, JWTs) and chinwag's cookies. No personal data is sent (no client addresses, no user
ids) and no performance traces."""

from __future__ import annotations

import re
from typing import Any

from chinwag import __version__
from chinwag.config import Settings
from chinwag.logs import redact as redact_log_line

# A cookie header's values, should one be sent as a string.
COOKIE = re.compile(r"(?i)\b(chinwag_refresh|chinwag_device)=[^;\s'\"]+")

# Keys whose values never leave, on top of sentry-sdk's own list.
DENYLIST = ["refresh_token", "access_token", "device_token", "chinwag_refresh", "chinwag_device"]


def init_error_tracking(settings: Settings) -> bool:
    """Start sentry-sdk for this process when a DSN is set; whether it was."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.env,
        release=f"chinwag@{__version__}",
        # (send_default_pii left unset: it is off, and setting it is deprecated)
        traces_sample_rate=0,
        # A frame's locals and a request's body hold tokens, passwords and people's messages:
        # none of them leaves (the stack, the exception and the route do).
        include_local_variables=False,
        max_request_body_size="never",
        event_scrubber=EventScrubber(
            denylist=[*DEFAULT_DENYLIST, *DENYLIST],
            pii_denylist=DEFAULT_PII_DENYLIST,
            recursive=True,
        ),
        before_send=scrub,
        before_breadcrumb=lambda crumb, hint: scrub(crumb, hint),
    )
    return True


def scrub(event: dict, hint: Any = None) -> dict:
    """`event` with every string redacted like a log line (in place, and returned)."""
    request = event.get("request")
    if isinstance(request, dict) and isinstance(request.get("query_string"), str):
        # Sent without its "?", which the patterns of a URL's query look for.
        request["query_string"] = redact("?" + request["query_string"])[1:]
    return _redacted(event)


def redact(text: str) -> str:
    return COOKIE.sub(r"\1=[redacted]", redact_log_line(text))


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _redacted(item)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            value[index] = _redacted(item)
    return value
