"""Sending Web Push messages (RFC 8030, encrypted with RFC 8291, signed with VAPID) through
pywebpush, and telling which subscriptions the push service says are gone."""

from __future__ import annotations

import asyncio
import json
import logging
from urllib.parse import urlsplit

import aiohttp
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush_async

from chinwag.metrics import JOB_RUNS

log = logging.getLogger("chinwag.notifications")
GONE = (404, 410)  # the subscription expired or was withdrawn: stop pushing to it
PUSH_TIMEOUT = 10  # seconds for one push service to answer
TTL = 24 * 3600  # a push still worth showing a day later (the device may be off)


async def push_to(subscriptions: list, payload: dict, vapid: Vapid02, contact: str) -> list[str]:
    """Send `payload` to each subscription; answer the endpoints that are gone."""
    data = json.dumps(payload)
    async with aiohttp.ClientSession() as session:
        results = await asyncio.gather(
            *(_push_one(session, sub, data, vapid, contact) for sub in subscriptions)
        )
    return [sub.endpoint for sub, gone in zip(subscriptions, results, strict=True) if gone]


async def _push_one(session, sub, data: str, vapid: Vapid02, contact: str) -> bool:
    parts = urlsplit(sub.endpoint)
    info = {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}}
    # The audience is the push service's origin; sign() would otherwise keep the first one
    # it saw in the shared claims dict.
    claims = {"sub": contact, "aud": f"{parts.scheme}://{parts.netloc}"}
    try:
        await webpush_async(
            info,
            data,
            vapid_private_key=vapid,
            vapid_claims=claims,
            ttl=TTL,
            timeout=PUSH_TIMEOUT,
            aiohttp_session=session,
        )
    except WebPushException as exc:
        status = exc.response.status if exc.response is not None else None
        JOB_RUNS.labels("push", "gone" if status in GONE else "failed").inc()
        # The endpoint names the device at the push service: the host is enough to log.
        log.warning("push to %s refused: %s", parts.netloc, status)
        return status in GONE
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        JOB_RUNS.labels("push", "failed").inc()
        log.warning("push to %s failed: %s", parts.netloc, exc)
        return False
    JOB_RUNS.labels("push", "ok").inc()
    return False
