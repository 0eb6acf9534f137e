"""schemathesis over the whole API its OpenAPI document describes, against a real server on
SQLite and PostgreSQL, signed in as a real user: every answer must be documented and match."""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest
import schemathesis
import uvicorn
from schemathesis.config import SchemathesisConfig

from chinwag.app import create_app
from chinwag.serving import guarded_protocol, uvicorn_options
from tests.conftest import _truncate_pg, settings_for

PASSWORD = "correct horse battery"
EXAMPLES_PER_OPERATION = 6  # the module (both databases) runs in under a minute on two cores


# Operations after which the test user may be signed out (a generated call can succeed).
SIGNING_OUT = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/password-reset/confirm"),
    ("POST", "/api/users/me/password"),
    ("DELETE", "/api/users/me/sessions/{session_id}"),
}


@dataclass
class Api:
    url: str
    headers: dict = field(default_factory=dict)

    def sign_in(self) -> None:
        body = {"login": "fuzzer", "password": PASSWORD}
        response = httpx.post(f"{self.url}/api/auth/login", json=body)
        assert response.status_code == 200, response.text
        self.headers = {"Authorization": f"Bearer {response.json()['access_token']}"}

    def keep_username(self) -> None:
        body = {"username": "fuzzer"}
        response = httpx.patch(f"{self.url}/api/users/me", json=body, headers=self.headers)
        assert response.status_code == 200, response.text


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request, tmp_path_factory) -> Iterator[Api]:
    """A real uvicorn server in a thread of its own (schemathesis calls it synchronously) on a
    fresh database, with one registered user."""
    data_dir = tmp_path_factory.mktemp("schema")
    if request.param == "sqlite":
        shutil.copy(request.getfixturevalue("sqlite_template"), data_dir / "chinwag.db")
        url = f"sqlite+aiosqlite:///{data_dir / 'chinwag.db'}"
    else:
        url = request.getfixturevalue("postgres_schema")
        asyncio.run(_truncate_pg(url))
    # Every request comes from one address: the per-address limits would answer 429 to the
    # sign-ins; the per-account ones stay.
    settings = settings_for(url, data_dir / "data", http_rate_limits=False)
    with serving(settings) as base_url:
        response = httpx.post(
            f"{base_url}/api/auth/register",
            json={"email": "fuzzer@example.com", "username": "fuzzer", "password": PASSWORD},
        )
        assert response.status_code == 201, response.text
        api = Api(base_url)
        api.sign_in()
        yield api


@contextmanager
def serving(settings) -> Iterator[str]:
    """The app for `settings` served by uvicorn on a free port, for the `with` block."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    options = {
        "lifespan": "on",
        "log_config": None,
        "access_log": False,
        **uvicorn_options(settings, guarded_protocol(settings)),
    }
    server = uvicorn.Server(uvicorn.Config(create_app(settings), **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        while not server.started:  # uvicorn offers no event; poll its flag
            assert thread.is_alive(), "the server didn't start"
            time.sleep(0.01)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listener.close()


# Every check of schemathesis runs, but for these, and only these, reasons:
CONFIG = {
    "generation": {"max-examples": EXAMPLES_PER_OPERATION},
    "checks": {
        # A schema-valid request isn't always acceptable, by design: the rules that need the
        # data (the current password, a live reset token, a direct chat with someone else, one
        # emoji, a message with text or files, offset or a cursor but not both) answer 400/422.
        # And schemathesis compares integers as floats, so 2**63 passes as "<= 2**63 - 1".
        "positive_data_acceptance": {"enabled": False},
        # A value too long for the body cap (message text up to 100,000 characters, in a
        # 64 KiB body by default) is refused as a too large body: 413, documented.
        "negative_data_rejection": {
            "expected-statuses": ["400", "401", "403", "404", "405", "409", "413", "422"]
        },
    },
}


def _described_api():
    """The document the app serves, read from an app that is never started."""
    app = create_app(settings_for("sqlite+aiosqlite://", "unused-data-dir"))
    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_dict(app.openapi(), config=config)


schema = _described_api()


@schema.parametrize()
def test_api_answers_as_documented(case, api):
    case.call_and_validate(base_url=api.url, headers=api.headers)
    if (case.method.upper(), case.path) in SIGNING_OUT:
        api.sign_in()  # the next case is signed in again
    elif (case.method.upper(), case.path) == ("PATCH", "/api/users/me"):
        api.keep_username()  # a generated call may rename the user the next sign-in names
