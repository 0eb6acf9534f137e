"""Shared fixtures: the real app in-process on SQLite (always) and PostgreSQL (when
CHINWAG_TEST_DATABASE_URL is set), an HTTP client, and people who are signed in."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import shutil
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from chinwag.app import create_app
from chinwag.config import Settings
from chinwag.db.migrate import upgrade

PG_URL = os.environ.get("CHINWAG_TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("CHINWAG_TEST_REDIS_URL", "")
IN_CI = bool(os.environ.get("CI"))
TABLES = [
    "sso_sign_ins",
    "sso_identities",
    "job_leases",
    "recovery_codes",
    "two_factor",
    "chat_bans",
    "reports",
    "audit_log",
    "invitations",
    "workspace",
    "missed_messages",
    "push_subscriptions",
    "message_edits",
    "message_mentions",
    "reactions",
    "message_attachments",
    "files",
    "login_failures",
    "password_resets",
    "sessions",
    "messages",
    "memberships",
    "chats",
    "users",
]


def need(service: str, url: str) -> None:
    """Skip outside CI when a service isn't configured; in CI that is a failure."""
    if not url:
        if IN_CI:
            pytest.fail(f"{service} is required in CI (set CHINWAG_TEST_{service.upper()}_URL)")
        pytest.skip(f"{service}: set CHINWAG_TEST_{service.upper()}_URL to run this test")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """A migrated SQLite file, copied for each test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("template") / "chinwag.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres_schema():
    """A database of this test run's own (so parallel runs don't collide), migrated once."""
    need("database", PG_URL)
    with scratch_database("chinwag_test") as url:
        yield url


@contextmanager
def scratch_database(prefix: str, *, far_ids: bool = False) -> Iterator[str]:
    """A fresh PostgreSQL database next to CHINWAG_TEST_DATABASE_URL, migrated, then dropped.

    `far_ids` starts user and chat ids at a random large number: Redis channels (chat:{id},
    user:{id}) and presence keys are named by id, and the test Redis is shared by every run.
    """
    base = make_url(PG_URL)
    name = f"{prefix}_{os.getpid()}"
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        if far_ids:
            start = random.randrange(10**6, 10**9)
            asyncio.run(
                _admin(
                    url,
                    f"ALTER SEQUENCE users_id_seq RESTART WITH {start}",
                    f"ALTER SEQUENCE chats_id_seq RESTART WITH {start}",
                )
            )
        yield url
    finally:
        asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url, *statements: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _truncate_pg(url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "chinwag.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("postgres_schema")
    asyncio.run(_truncate_pg(url))
    return url


@pytest.fixture
def settings_overrides() -> dict:
    """Override in a test module to change settings for its tests."""
    return {}


@pytest.fixture
def settings(database_url, tmp_path, settings_overrides) -> Settings:
    return settings_for(database_url, tmp_path / "data", **settings_overrides)


def settings_for(database_url: str, data_dir, **overrides) -> Settings:
    """The settings of a test app on this database, with `overrides`."""
    values = {
        "database_url": database_url,
        "data_dir": data_dir,
        "secret_key": "test-secret-key-that-is-long-enough-0123456789",
        "public_url": "http://testserver",
        "migrate_on_start": False,
        # argon2id still, at a cost that keeps the suite fast
        "password_time_cost": 1,
        "password_memory_kib": 1024,
        # The test Redis is shared by every run on this machine: keep to our own keys.
        "redis_namespace": f"test{os.getpid()}",
        # Every test's people sign up and in from one address; the per-address buckets are
        # tested in tests/accounts/test_address_limits.py.
        "auth_rate_burst": 10_000,
        # Tests send many messages as fast as they can; the send limit has its own tests
        # (tests/realtime/test_limits.py).
        "ws_rate_burst": 100_000,
        "ws_frames_burst": 100_000,
        # No "general" group for everyone: each test makes the chats it counts
        # (tests/workspace/test_defaults.py has the default group).
        "default_group": "",
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
async def app(settings):
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
def ctx(app):
    return app.state.ctx


_counter = itertools.count(1)


@dataclass
class Person:
    """A registered, signed-in user and the headers that make requests as them."""

    id: int
    username: str
    email: str
    password: str
    access_token: str
    refresh_token: str
    profile: dict = field(default_factory=dict)

    def signed_in_again(self, login_body: dict) -> Person:
        """This person with the tokens of another sign-in (another device)."""
        return Person(
            self.id,
            self.username,
            self.email,
            self.password,
            login_body["access_token"],
            login_body["refresh_token"],
            login_body["user"],
        )

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}


async def sign_up(
    client: httpx.AsyncClient, name: str | None = None, password: str = "correct horse battery"
) -> Person:
    name = name or f"user{next(_counter)}"
    email = f"{name}@example.com"
    response = await client.post(
        "/api/auth/register", json={"email": email, "username": name, "password": password}
    )
    assert response.status_code == 201, response.text
    response = await client.post("/api/auth/login", json={"login": name, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    return Person(
        body["user"]["id"],
        name,
        email,
        password,
        body["access_token"],
        body["refresh_token"],
        body["user"],
    )


@pytest.fixture
def signup(client):
    """signup(name=None) -> Person, registered and signed in."""

    async def make(name: str | None = None, password: str = "correct horse battery") -> Person:
        return await sign_up(client, name, password)

    return make


@pytest.fixture
async def ana(signup) -> Person:
    return await signup("ana")


@pytest.fixture
async def bob(signup) -> Person:
    return await signup("bob")


@pytest.fixture
async def cyd(signup) -> Person:
    return await signup("cyd")


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The response is an error of the API's shape (README, "API overview") with this status
    (and code)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


@pytest.fixture(scope="module")
def smtp_server():
    """A real SMTP server (aiosmtpd, tests/smtp.py) on a free port, for the module's tests."""
    from tests.smtp import start_smtp_server

    controller = start_smtp_server()
    yield controller
    controller.stop()


@pytest.fixture
def inbox(smtp_server):
    """The SMTP server's Inbox, emptied for this test."""
    smtp_server.handler.clear()
    return smtp_server.handler
