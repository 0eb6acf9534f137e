"""Helpers shared by the accounts tests: a second device signing in, raw database access and a
log capture that sees chinwag's records before any handler touches them."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import update

from chinwag.accounts.models import Session, User
from chinwag.accounts.routes import DEVICE_COOKIE
from tests.conftest import Person

PASSWORD = "correct horse battery"  # what the signup fixture gives everyone


def session_id_of(person: Person) -> str:
    """The session a person's tokens belong to (the refresh token starts with its id)."""
    return person.refresh_token.partition(".")[0]


@pytest.fixture
def login(client):
    """login(login, password, user_agent=..., device=None) -> the raw response of POST
    /api/auth/login. From an unknown device unless `device` (a device cookie's value) is
    given: the client's cookie jar would otherwise make every sign-in after the first one
    come from a trusted device."""

    async def sign_in(
        name: str, password: str = PASSWORD, user_agent: str = "pytest", device: str | None = None
    ):
        client.cookies.delete(DEVICE_COOKIE)
        headers = {"User-Agent": user_agent}
        if device:
            headers["Cookie"] = f"{DEVICE_COOKIE}={device}"
        return await client.post(
            "/api/auth/login", json={"login": name, "password": password}, headers=headers
        )

    return sign_in


@pytest.fixture
def second_device(login):
    """second_device(person, user_agent) -> the person signed in once more, as a new Person."""

    async def sign_in_again(person: Person, user_agent: str = "second device") -> Person:
        response = await login(person.username, person.password, user_agent)
        assert response.status_code == 200, response.text
        return person.signed_in_again(response.json())

    return sign_in_again


@pytest.fixture
def db_update(ctx):
    """db_update(Model, where, **values): change rows directly, as time or an admin would."""

    async def run(model, *where, **values) -> None:
        def change(db) -> None:
            db.execute(update(model).where(*where).values(**values))

        await ctx.db.write(change)

    return run


@pytest.fixture
def deactivate(db_update):
    async def run(person: Person) -> None:
        await db_update(User, User.id == person.id, is_active=False)

    return run


@pytest.fixture
def expire_session(db_update):
    async def run(person: Person, when) -> None:
        await db_update(Session, Session.id == session_id_of(person), expires_at=when)

    return run


class RecordList(logging.Handler):
    """Keeps every record it is given, untouched."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def chinwag_records(app) -> list[logging.LogRecord]:
    """Every record logged under `chinwag`, captured first, before the redacting handler.

    create_app() configures the `chinwag` logger not to propagate, so caplog (on the root
    logger) would see nothing; this puts a handler on that logger itself, ahead of the others.
    """
    logger = logging.getLogger("chinwag")
    handler = RecordList()
    logger.handlers.insert(0, handler)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        logger.setLevel(previous)
        logger.removeHandler(handler)
