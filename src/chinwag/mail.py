"""Outgoing mail: SMTP through aiosmtplib when CHINWAG_SMTP_URL is set, else the outbox folder."""

from __future__ import annotations

import asyncio
import logging
import secrets
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from chinwag.db.base import utcnow
from chinwag.metrics import JOB_RUNS

log = logging.getLogger("chinwag.mail")


class Mailer(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(body)
    return message


class OutboxMailer:
    """Development mail: each message becomes an .eml file; the log says where, not what.

    The body stays out of the log because it can hold a single-use token.
    """

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    async def send(self, message: EmailMessage) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
        path = self.outbox / f"{stamp}-{secrets.token_hex(4)}.eml"
        await asyncio.to_thread(path.write_bytes, bytes(message))
        log.info("mail to %s (%s) written to %s", message["To"], message["Subject"], path)


class SmtpMailer:
    """smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps:// (implicit TLS)."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.implicit_tls = parts.scheme == "smtps"
        self.hostname = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.implicit_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.implicit_tls,
            start_tls=None if not self.implicit_tls else False,
            timeout=30,
        )
        log.info(
            "mail to %s (%s) sent via %s:%s",
            message["To"],
            message["Subject"],
            self.hostname,
            self.port,
        )


def create_mailer(smtp_url: str, data_dir: Path) -> Mailer:
    return SmtpMailer(smtp_url) if smtp_url else OutboxMailer(data_dir / "outbox")


class MailQueue:
    """Sends in the background so a request never waits on (or reveals timing of) the mail."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self._tasks: set[asyncio.Task] = set()

    def submit(self, message: EmailMessage) -> None:
        task = asyncio.create_task(self._send(message))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, message: EmailMessage) -> None:
        try:
            await self.mailer.send(message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            JOB_RUNS.labels("mail", "failed").inc()
            log.error("mail to %s failed: %s", message["To"], exc)
        else:
            JOB_RUNS.labels("mail", "ok").inc()

    async def drain(self) -> None:
        """Wait for mails in flight (shutdown)."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
