"""`chinwag doctor`: checks a configuration against the services it names, and says what to
fix. Each check gives findings: `ok`, `warn` (works, but not as production should) or
`fail` (chinwag would not work as configured); any `fail` makes the command exit non-zero."""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

import aiosmtplib
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from chinwag.config import Settings
from chinwag.db.database import open_database
from chinwag.db.migrate import alembic_config
from chinwag.realtime.brokers import create_broker

TIMEOUT = 5.0  # seconds a service may take to answer a check
# A key made of few distinct characters ("aaaa…", "1234…") is long but guessable.
MIN_DISTINCT_KEY_CHARACTERS = 12


@dataclass(frozen=True)
class Finding:
    level: Literal["ok", "warn", "fail"]
    topic: str
    message: str


def _ok(topic: str, message: str) -> list[Finding]:
    return [Finding("ok", topic, message)]


def _warn(topic: str, message: str) -> list[Finding]:
    return [Finding("warn", topic, message)]


def _fail(topic: str, message: str) -> list[Finding]:
    return [Finding("fail", topic, message)]


async def diagnose(settings: Settings) -> list[Finding]:
    """Every check, in the order an operator would fix them."""
    checks: list[Callable[[Settings], Awaitable[list[Finding]]]] = [
        check_data_dir,
        check_database,
        check_broker,
        check_smtp,
    ]
    findings = [*check_secret_key(settings), *check_public_url(settings)]
    for check in checks:
        findings += await check(settings)
    return findings


def check_secret_key(settings: Settings) -> list[Finding]:
    if settings.env != "production":
        if settings.secret_key:
            return _ok("secret key", "set (development)")
        return _ok("secret key", f"generated into {settings.data_dir / 'secret_key'} (development)")
    # Settings already refused a production key shorter than 32 characters.
    if len(set(settings.secret_key)) < MIN_DISTINCT_KEY_CHARACTERS:
        return _fail(
            "secret key",
            "CHINWAG_SECRET_KEY is long but made of few different characters: anyone could "
            'guess it. Use python -c "import secrets; print(secrets.token_urlsafe(48))"',
        )
    return _ok("secret key", f"{len(settings.secret_key)} characters")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_public_url(settings: Settings) -> list[Finding]:
    findings: list[Finding] = []
    public = settings.public_url
    if "public_url" not in settings.model_fields_set:
        level = "warn" if settings.env == "production" else "ok"
        findings.append(
            Finding(
                level,
                "public URL",
                "CHINWAG_PUBLIC_URL is unset: `chinwag serve` uses the address it serves, "
                "which mailed links can only reach from this machine when it listens on all "
                "addresses; set it to the address people open",
            )
        )
    elif settings.env == "production" and not public.startswith("https://"):
        findings += _warn(
            "public URL",
            f"{public} is http: passwords and tokens cross the network in the clear. Serve "
            "with --certfile/--keyfile or behind a proxy that terminates HTTPS, and set "
            "CHINWAG_PUBLIC_URL=https://...",
        )
    else:
        findings += _ok("public URL", public)
    allowed = {o.rstrip("/").lower() for o in settings.allowed_origins}
    if allowed and _origin(public) not in allowed:
        findings += _fail(
            "allowed origins",
            f"CHINWAG_ALLOWED_ORIGINS does not hold {_origin(public)}, the origin of "
            "CHINWAG_PUBLIC_URL: the web client opened there could not open its WebSocket. "
            "Add it, or unset CHINWAG_ALLOWED_ORIGINS",
        )
    elif allowed:
        findings += _ok("allowed origins", ", ".join(sorted(allowed)))
    return findings


async def check_data_dir(settings: Settings) -> list[Finding]:
    data_dir = settings.data_dir
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".doctor-"):
            pass
    except OSError as exc:
        return _fail(
            "data directory",
            f"{data_dir} is not writable ({exc.strerror or exc}): uploads, the SQLite file "
            "and the mail outbox live there. Fix its owner or set CHINWAG_DATA_DIR",
        )
    return _ok("data directory", f"{data_dir.resolve()} is writable")


async def check_database(settings: Settings) -> list[Finding]:
    url = settings.resolved_database_url
    shown = make_url(url).render_as_string(hide_password=True)
    if settings.is_sqlite:
        path = make_url(url).database
        if path and path != ":memory:" and not await asyncio.to_thread(Path(path).exists):
            # Opening it would create it: report, and leave the creating to the server.
            return _ok("database", f"{shown}: not created yet (`chinwag serve` creates it)")
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    db = open_database(url)
    try:
        revision = await asyncio.wait_for(db.read(_schema_revision), TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - whatever stops it is what the operator must read
        return _fail(
            "database",
            f"{shown} is unreachable ({type(exc).__name__}: {exc}). Check CHINWAG_DATABASE_URL "
            "(host, port, user, password, database name) and that the server runs",
        )
    finally:
        await db.close()
    if revision is None:
        return _ok("database", f"{shown} answers; empty (migrations run on start)")
    if revision != head:
        return _warn(
            "database",
            f"{shown} answers at schema {revision}, this version's is {head}: `chinwag db "
            "upgrade` (or the next start) migrates it",
        )
    return _ok("database", f"{shown} answers; schema up to date ({head})")


def _schema_revision(db) -> str | None:
    try:
        return db.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # noqa: BLE001 - a missing table is an empty database
        if "alembic_version" in str(exc):
            return None
        raise


async def check_broker(settings: Settings) -> list[Finding]:
    url = settings.broker_url
    if url.startswith("memory://"):
        return _ok("broker", "memory:// (one process: `--workers 1` only)")
    shown = url.split("@")[-1]
    broker = create_broker(url, settings.redis_namespace)
    try:
        answered = await asyncio.wait_for(broker.ping(), TIMEOUT)
    except TimeoutError:
        answered = False
    finally:
        await broker.close()
    if not answered:
        return _fail(
            "broker",
            f"{shown} does not answer PING: start Redis or fix CHINWAG_BROKER_URL "
            "(redis://[:password@]host:6379/0)",
        )
    return _ok("broker", f"{shown} answers")


async def check_smtp(settings: Settings) -> list[Finding]:
    if not settings.smtp_url:
        outbox = settings.data_dir / "outbox"
        message = (
            f"CHINWAG_SMTP_URL is unset: mails (password resets) are written to {outbox} "
            "and nobody receives them"
        )
        return (_warn if settings.env == "production" else _ok)("smtp", message)
    from chinwag.mail import SmtpMailer

    mailer = SmtpMailer(settings.smtp_url)
    where = f"{mailer.hostname}:{mailer.port}"
    client = aiosmtplib.SMTP(
        hostname=mailer.hostname,
        port=mailer.port,
        use_tls=mailer.implicit_tls,
        start_tls=None if not mailer.implicit_tls else False,
        timeout=TIMEOUT,
    )
    try:
        await client.connect()
        if mailer.username:
            await client.login(mailer.username, mailer.password or "")
        await client.quit()
    except aiosmtplib.SMTPAuthenticationError as exc:
        return _fail("smtp", f"{where} refused the user and password ({exc.code}): fix them")
    except (aiosmtplib.SMTPException, OSError) as exc:
        return _fail(
            "smtp",
            f"{where} is unreachable ({type(exc).__name__}: {exc}): check CHINWAG_SMTP_URL "
            "(smtp://user:pass@host:587 or smtps://host:465)",
        )
    return _ok("smtp", f"{where} answers" + (" and accepts the login" if mailer.username else ""))


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(f.level == "fail" for f in findings) else 0


def report(findings: list[Finding]) -> str:
    width = max(len(f.topic) for f in findings)
    return os.linesep.join(f"{f.level:<4}  {f.topic:<{width}}  {f.message}" for f in findings)
