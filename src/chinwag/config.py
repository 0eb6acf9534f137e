"""Settings: environment variables with prefix CHINWAG_ (or a .env file), validated at start-up."""

from __future__ import annotations

import ipaddress
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_KEY_LENGTH = 32
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


class SettingsError(ValueError):
    """A setting that keeps chinwag from starting; the message says which and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHINWAG_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str = ""
    broker_url: str = "memory://"
    # Prefix of every Redis channel and key: deployments sharing one Redis stay apart.
    redis_namespace: str = Field("chinwag", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    secret_key: str = ""
    public_url: str = "http://127.0.0.1:8000"
    # Who may sign up, until a site administrator changes it (then the workspace row wins),
    # and the workspace's name until one is set.
    registration: Literal["open", "invite_only", "closed"] = "open"
    workspace_name: str = Field("chinwag", min_length=1, max_length=80)
    # The public group a fresh install's first account founds and every newcomer joins;
    # empty: none.
    default_group: str = Field("general", max_length=80)
    allowed_origins: list[str] = Field(default_factory=list)
    # Single sign-on with an OpenID Connect provider (sso/): its issuer URL (the discovery
    # document is at <issuer>/.well-known/openid-configuration) and chinwag's client there;
    # all three or none. The button says "Sign in with <oidc_name>".
    oidc_issuer: str = ""
    oidc_client_id: str = Field("", max_length=255)
    oidc_client_secret: str = ""
    oidc_name: str = Field("single sign-on", min_length=1, max_length=40)
    # off: password sign-in, sign-up and reset are refused (SSO only); needs OIDC set up.
    # The command line (`chinwag users ...`) works either way.
    password_signin: bool = True
    # Strict-Transport-Security's max-age, sent when public_url is https (0 makes browsers
    # forget an earlier one).
    hsts_max_age: int = Field(365 * 24 * 3600, ge=0)
    # HTTPS served by chinwag itself (PEM files; both or neither): `chinwag serve --certfile
    # --keyfile`. HSTS and Secure cookies follow.
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: comma-separated
    # addresses or networks, `*` for any. Empty (the default): none, the peer is the client.
    forwarded_allow_ips: str = ""
    # /metrics answers only with `Authorization: Bearer <this>`; unset, it is 404 there.
    metrics_token: str = ""
    # Metrics on a port of their own (`chinwag serve --metrics-port`), no token: for a
    # Prometheus on a private network. Bound to metrics_host.
    metrics_port: int | None = Field(None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    # Sentry (or a compatible service) gets unhandled exceptions and logged errors, scrubbed
    # of tokens (errortracking.py); unset: nothing is sent anywhere.
    sentry_dsn: str = ""
    smtp_url: str = ""
    mail_from: str = "chinwag <chinwag@localhost>"
    # Email verification: `required` mails each new address a single-use link (valid
    # email_verification_hours) that must be followed before the account may post; `off`
    # asks nothing. Required needs SMTP (the link must reach a real inbox). Resending is
    # limited to email_verification_resends_per_hour per account (and ten times that per
    # client address).
    email_verification: Literal["off", "required"] = "off"
    email_verification_hours: int = Field(24, ge=1, le=14 * 24)
    email_verification_resends_per_hour: int = Field(6, ge=1, le=100)
    # Missed-message email: a direct message or mention still unread this many minutes after
    # it reached someone with no socket open is mailed (one mail per conversation); the
    # queue is looked at every missed_message_poll_seconds.
    missed_message_minutes: float = Field(10, ge=0, le=7 * 24 * 60)
    missed_message_poll_seconds: float = Field(30, gt=0, le=3600)
    # Retention: messages older than this many days are deleted (with their files, reactions
    # and search entries) by a sweep every retention_sweep_seconds, in units of
    # retention_batch_size messages; unset, history is kept forever. A group's owner may set a
    # shorter one for the group.
    retention_days: int | None = Field(None, ge=1, le=36500)
    retention_sweep_seconds: float = Field(3600, gt=0, le=7 * 24 * 3600)
    retention_batch_size: int = Field(500, ge=1, le=10_000)
    # Web Push: the VAPID claim's contact (the push services' operators write there), and
    # whether a subscription's endpoint may be plain http (only a local test push service).
    push_contact: str = "mailto:chinwag@localhost"
    push_allow_http: bool = False
    migrate_on_start: bool = True
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    # The same warning or error (logger and message) at most this often a minute, then one
    # line with how many were dropped; 0 logs every one.
    log_repeats_per_minute: int = Field(10, ge=0)

    access_token_minutes: int = Field(15, ge=1, le=24 * 60)
    refresh_token_days: int = Field(30, ge=1, le=365)
    password_reset_minutes: int = Field(60, ge=5, le=24 * 60)
    # Reset mails one account gets per hour at most (more requests still answer 202).
    password_reset_mails_per_hour: int = Field(2, ge=1, le=100)
    # argon2id cost; the defaults are argon2-cffi's recommendation (tests lower them).
    password_time_cost: int = Field(3, ge=1, le=20)
    password_memory_kib: int = Field(65536, ge=1024, le=1024 * 1024)
    # argon2 hashes at once, and how many may wait for a turn before sign-ins get 503.
    password_hash_concurrency: int = Field(2, ge=1, le=64)
    password_hash_queue: int = Field(32, ge=0, le=10_000)
    # Failed sign-ins one account (or one trusted device) may have in the window before each
    # further attempt waits: 1 s, then twice as long after every failure, up to the window.
    login_max_failures: int = Field(5, ge=1)
    login_window_seconds: int = Field(15 * 60, ge=1)
    # Requests one address may make to the endpoints that hash a password or send mail.
    auth_rate_per_minute: float = Field(30, gt=0)
    auth_rate_burst: int = Field(30, ge=1)

    message_max_chars: int = Field(4000, ge=1, le=100_000)
    ws_max_frame_bytes: int = Field(64 * 1024, ge=1024)
    # permessage-deflate compresses every frame once per recipient: it halves fan-out
    # throughput and doubles memory per socket (bench/fanout.py), so it is off by default.
    ws_compression: bool = False
    ws_send_queue: int = Field(1000, ge=1, description="events queued per socket before 1013")
    ws_rate_per_second: float = Field(10, gt=0)
    ws_rate_burst: int = Field(30, ge=1)
    ws_flood_after: int = Field(60, ge=1, description="refused sends before closing with 1008")
    # Frames of any kind one socket may send (a `read` is a transaction, a `typing` a fan-out).
    ws_frames_per_second: float = Field(20, gt=0)
    ws_frames_burst: int = Field(60, ge=1)
    # Sockets one account, and one client address, may have open on a process.
    ws_sockets_per_user: int = Field(30, ge=1)
    ws_sockets_per_address: int = Field(1000, ge=1)
    # Sockets opening (authentication and `ready`) at one time; a storm waits its turn.
    ws_opening_at_once: int = Field(64, ge=1)
    ws_ping_interval: float = Field(20, gt=0)
    ws_ping_timeout: float = Field(20, gt=0)
    # The Socket.IO transport (/socket.io/) beside /ws, on the same hub and limits.
    socketio: bool = True
    # Long-polling too (else WebSocket only): with several workers it needs sticky sessions.
    socketio_polling: bool = False
    presence_ttl: float = Field(60, ge=1, description="seconds a dead process's users stay online")
    upload_max_bytes: int = Field(25 * 1024 * 1024, ge=1024)
    # Every other request body (JSON, forms): 413 past this, before it is read into memory.
    http_max_body_bytes: int = Field(64 * 1024, ge=1024)
    # A request's line and headers: bytes at most (431 past it) and seconds to send them (408);
    # connections from one address still sending their first request's headers (429).
    http_max_header_bytes: int = Field(32 * 1024, ge=1024, le=1024 * 1024)
    http_header_timeout: float = Field(10, gt=0, le=300)
    http_pending_per_address: int = Field(64, ge=1)
    http_keepalive_timeout: float = Field(5, gt=0, le=300)
    # Per-address limits (pending connections, sign-in buckets); off for a load test from one
    # address. Per-account protections stay on.
    http_rate_limits: bool = True
    upload_quota_bytes: int = Field(
        1024**3, ge=0, description="bytes of uploads kept per user; 0 for no quota"
    )
    # Images over this many pixels are refused before decoding (decompression bombs). At most
    # Pillow's own MAX_IMAGE_PIXELS, so Pillow's guard never fires first on an image we allow.
    image_max_pixels: int = Field(40_000_000, ge=10_000, le=89_478_485)

    @field_validator("database_url", "broker_url", "smtp_url")
    @classmethod
    def _known_scheme(cls, url: str, info) -> str:
        allowed = {
            "database_url": ("sqlite+aiosqlite://", "postgresql+asyncpg://"),
            "broker_url": ("memory://", "redis://", "rediss://"),
            "smtp_url": ("smtp://", "smtps://"),
        }[info.field_name]
        if url and not url.startswith(allowed):
            raise ValueError(f"must start with one of {', '.join(allowed)}")
        return url

    @field_validator("public_url")
    @classmethod
    def _absolute_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an absolute http(s) URL such as https://chat.example.com")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _certificate_and_key_together(self) -> Settings:
        if (self.tls_certfile is None) != (self.tls_keyfile is None):
            raise ValueError(
                "CHINWAG_TLS_CERTFILE and CHINWAG_TLS_KEYFILE (--certfile, --keyfile) go together"
            )
        for path in (self.tls_certfile, self.tls_keyfile):
            if path is not None and not path.is_file():
                raise ValueError(f"{path} is not a file (CHINWAG_TLS_CERTFILE / _KEYFILE)")
        return self

    @model_validator(mode="after")
    def _single_sign_on_whole(self) -> Settings:
        given = [bool(self.oidc_issuer), bool(self.oidc_client_id), bool(self.oidc_client_secret)]
        if any(given) and not all(given):
            raise ValueError(
                "CHINWAG_OIDC_ISSUER, CHINWAG_OIDC_CLIENT_ID and CHINWAG_OIDC_CLIENT_SECRET "
                "go together (single sign-on needs all three)"
            )
        if self.oidc_issuer:
            _check_issuer(self.oidc_issuer)
        if not self.password_signin and not self.oidc_issuer:
            raise ValueError(
                "CHINWAG_PASSWORD_SIGNIN=off needs single sign-on (CHINWAG_OIDC_ISSUER, "
                "_CLIENT_ID, _CLIENT_SECRET): else nobody could sign in"
            )
        return self

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @model_validator(mode="after")
    def _verification_needs_smtp(self) -> Settings:
        if self.email_verification == "required" and not self.smtp_url:
            raise ValueError(
                "CHINWAG_EMAIL_VERIFICATION=required needs CHINWAG_SMTP_URL: the verification "
                "links go by mail (set CHINWAG_SMTP_URL, or CHINWAG_EMAIL_VERIFICATION=off)"
            )
        return self

    @property
    def serves_tls(self) -> bool:
        return self.tls_certfile is not None

    @model_validator(mode="after")
    def _production_needs_a_strong_key(self) -> Settings:
        if self.env == "production" and len(self.secret_key) < MIN_SECRET_KEY_LENGTH:
            raise ValueError(
                "CHINWAG_SECRET_KEY must be set to at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters when CHINWAG_ENV=production "
                '(for example: python -c "import secrets; print(secrets.token_urlsafe(48))")'
            )
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'chinwag.db'}"

    @cached_property
    def signing_key(self) -> str:
        """The key that signs tokens: the configured one, else one kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        return _development_key(self.data_dir)

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_issuer(issuer: str) -> None:
    # Plain http would let anyone on the path forge who signs in: https only, but for a
    # provider on this machine (development, tests).
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError(f"CHINWAG_OIDC_ISSUER must be an https URL, not {issuer!r}")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("CHINWAG_OIDC_ISSUER must be https (http only for localhost)")


def _development_key(data_dir: Path) -> str:
    # Generated once so tokens survive restarts of a development server.
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load_settings(**overrides) -> Settings:
    """Read and validate the settings, turning pydantic's report into one clear message."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "settings"
            name = f"CHINWAG_{where.upper()}" if err["loc"] else "settings"
            lines.append(f"  {name}: {err['msg']}")
        raise SettingsError("invalid configuration:\n" + "\n".join(lines)) from None
