"""The verification tests' mail (the real SMTP server of tests/smtp.py, its fixtures in
tests/conftest.py): the settings that require verification, and the mails it took: waiting
for one to an address, reading its link's token."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re

from tests.smtp import MAIL_TIMEOUT, Inbox

VERIFY_LINK = re.compile(r"/#/verify\?token=([A-Za-z0-9_-]+)")


def verification_settings(smtp_server, **more) -> dict:
    return {
        "smtp_url": f"smtp://127.0.0.1:{smtp_server.port}",
        "email_verification": "required",
        **more,
    }


def parsed(envelope) -> email.message.EmailMessage:
    return email.message_from_bytes(envelope.content, policy=email.policy.default)


async def mail_to(inbox: Inbox, address: str, subject: str, after: int = 0):
    """The first mail to `address` whose subject contains `subject` among those that arrived
    after the first `after` (waiting for it); parsed."""
    async with asyncio.timeout(MAIL_TIMEOUT):
        while True:
            inbox.arrived.clear()  # before looking: an arrival from now on wakes the wait
            for envelope in inbox.messages[after:]:
                message = parsed(envelope)
                if address in envelope.rcpt_tos and subject in message["Subject"]:
                    return message
            await inbox.wait()


async def verification_token(inbox: Inbox, address: str, after: int = 0) -> str:
    """The token of the next verification link mailed to `address`."""
    message = await mail_to(inbox, address, "Verify your email", after)
    found = VERIFY_LINK.search(message.get_content())
    assert found, message.get_content()
    return found.group(1)
