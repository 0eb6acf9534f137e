"""The missed-message mailer: every process looks at the queue each poll period; the claim
(store.claim_due) makes sure each conversation is mailed by one of them only."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError

from chinwag.context import AppContext
from chinwag.metrics import JOB_RUNS
from chinwag.notifications.service import send_missed_messages

log = logging.getLogger("chinwag.notifications")


async def keep_missed_messages(ctx: AppContext) -> None:
    while True:
        await asyncio.sleep(ctx.settings.missed_message_poll_seconds)  # a period
        try:
            sent = await send_missed_messages(ctx)
        except (SQLAlchemyError, OSError) as exc:
            # The database is away: the rows wait in the queue for the next round.
            JOB_RUNS.labels("missed_messages", "failed").inc()
            log.warning("missed-message mail round failed: %s", exc)
        else:
            JOB_RUNS.labels("missed_messages", "ok").inc()
            if sent:
                log.info("mailed %d missed-message digests", sent)
