"""Secrets stay out of the logs: the account flows never log a password or a token, redact()
strips tokens from any line, and the JSON log format gives one valid JSON object per line."""

import json
import logging
import sys

import pytest

from chinwag.logs import JsonFormatter, RedactingFilter, configure_logging, redact
from tests.conftest import assert_error

PASSWORD = "s3cret-Passphrase-for-logs"
NEW_PASSWORD = "another-s3cret-Passphrase"


def leaks(records: list[logging.LogRecord], secrets: list[str]) -> list[str]:
    """The log lines (message, arguments, extras) that contain one of `secrets`."""
    found = []
    for record in records:
        everything = f"{record.getMessage()} {vars(record)}"
        found += [f"{record.name}: {record.getMessage()}" for s in secrets if s in everything]
    return found


def secret_parts(refresh_token: str) -> list[str]:
    return [refresh_token, refresh_token.partition(".")[2]]


async def test_account_flows_log_no_password_or_token(client, chinwag_records):
    register = await client.post(
        "/api/auth/register",
        json={"email": "lou@example.com", "username": "lou", "password": PASSWORD},
    )
    assert register.status_code == 201
    assert_error(
        await client.post("/api/auth/login", json={"login": "lou", "password": PASSWORD + "x"}), 401
    )
    signed = (
        await client.post("/api/auth/login", json={"login": "lou", "password": PASSWORD})
    ).json()
    auth = {"Authorization": f"Bearer {signed['access_token']}"}
    assert (await client.get("/api/users/me", headers=auth)).status_code == 200
    pair = (
        await client.post("/api/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    ).json()
    by_cookie = (await client.post("/api/auth/refresh")).json()
    form = (
        await client.post("/api/auth/token", data={"username": "lou", "password": PASSWORD})
    ).json()
    reused = await client.post("/api/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert_error(reused, 401)  # the reuse warning is logged: without the token
    auth = {"Authorization": f"Bearer {form['access_token']}"}
    changed = await client.post(
        "/api/users/me/password",
        headers=auth,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204
    assert (await client.post("/api/auth/logout", headers=auth)).status_code == 204

    assert len(chinwag_records) >= 10  # the flow was logged, just not its secrets
    secrets = [
        PASSWORD,
        NEW_PASSWORD,
        signed["access_token"],
        pair["access_token"],
        by_cookie["access_token"],
        form["access_token"],
        *secret_parts(signed["refresh_token"]),
        *secret_parts(pair["refresh_token"]),
        *secret_parts(by_cookie["refresh_token"]),
    ]
    assert leaks(chinwag_records, secrets) == []


async def test_login_and_signup_are_logged_as_events(client, chinwag_records, ana):
    events = {getattr(record, "event", None) for record in chinwag_records}
    assert {"signup", "login"} <= events


async def test_validation_errors_do_not_log_the_refused_password(client, chinwag_records):
    password = "x" * 300
    response = await client.post(
        "/api/auth/register",
        json={"email": "lou@example.com", "username": "lou", "password": password},
    )
    assert_error(response, 422)
    assert password not in response.text
    assert leaks(chinwag_records, [password]) == []


async def test_request_log_leaves_out_the_query_string(client, chinwag_records, ana):
    await client.get(
        "/api/users", params={"q": "ana", "token": "sekrit-query-token"}, headers=ana.headers
    )
    http = [r for r in chinwag_records if r.name == "chinwag.http"]
    # refused (422: `token` isn't a parameter of /api/users), and logged without it
    assert any(r.getMessage().startswith("GET /api/users 422") for r in http)
    assert leaks(chinwag_records, ["sekrit-query-token"]) == []


# --- redact() ---


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ("GET /ws?token=abc.def-123 101", "abc.def-123"),
        ("GET /reset?x=1&token=T0k3n_xyz&y=2", "T0k3n_xyz"),
        ("GET /x?access_token=qwerty", "qwerty"),
        ("GET /x?REFRESH_TOKEN=sid.secret", "sid.secret"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("authorization: bearer zzz+/=~_-", "zzz+/=~_-"),
        ("token eyJhbGciOi.eyJzdWIiOiIxIn0.c2lnbmF0dXJl seen", "eyJhbGciOi.eyJzdWIiOiIxIn0"),
    ],
)
def test_redact_removes_tokens(line, secret):
    cleaned = redact(line)
    assert secret not in cleaned
    assert "[redacted" in cleaned


def test_redact_keeps_the_rest_of_the_line():
    assert redact("GET /reset?x=1&token=abc&y=2 200") == "GET /reset?x=1&token=[redacted]&y=2 200"
    assert redact("sent Bearer abc to bob") == "sent Bearer [redacted] to bob"


@pytest.mark.parametrize(
    "line", ["user 5 signed in", "GET /api/users?q=tokens 200", "GET /api/users?notoken=1 200"]
)
def test_redact_leaves_lines_without_secrets_alone(line):
    assert redact(line) == line


def test_redacting_filter_cleans_the_formatted_message():
    record = logging.LogRecord(
        "chinwag.test",
        logging.INFO,
        __file__,
        1,
        "request %s with %s",
        ("/ws?token=abcdef", "Bearer xyz"),
        None,
    )
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == "request /ws?token=[redacted] with Bearer [redacted]"


# --- JSON lines ---


def make_record(message: str, *args, exc_info=None, **extra) -> logging.LogRecord:
    logger = logging.getLogger("chinwag.test")
    return logger.makeRecord(
        "chinwag.test", logging.WARNING, __file__, 1, message, args, exc_info, extra=extra or None
    )


def test_json_formatter_gives_a_json_object_with_the_event():
    line = JsonFormatter().format(make_record("user %s signed in", 7, event="login", user_id=7))
    entry = json.loads(line)
    assert entry["event"] == "login" and entry["user_id"] == 7
    assert entry["message"] == "user 7 signed in"
    assert entry["level"] == "WARNING" and entry["logger"] == "chinwag.test"
    assert entry["time"].endswith("Z")
    assert "\n" not in line


def test_json_formatter_leaves_out_event_when_not_given():
    entry = json.loads(JsonFormatter().format(make_record("plain")))
    assert "event" not in entry and entry["message"] == "plain"


def test_json_formatter_redacts_tracebacks():
    try:
        raise ValueError("bad header Bearer abc.def")
    except ValueError:
        record = make_record("failed", exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert "ValueError" in entry["exc_info"]
    assert "abc.def" not in entry["exc_info"]


def test_json_formatter_survives_values_json_cannot_encode():
    entry = json.loads(JsonFormatter().format(make_record("x", event={1, 2})))
    assert entry["event"] == "{1, 2}"


@pytest.fixture
def restore_chinwag_logging():
    saved = {}
    for name in ("chinwag", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.level, logger.propagate)
    yield
    for name, (handlers, level, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate = propagate


def test_json_log_format_writes_redacted_json_lines(capsys, restore_chinwag_logging):
    configure_logging("INFO", "json")
    log = logging.getLogger("chinwag.accounts")
    log.info("user %s signed in", 3, extra={"event": "login", "user_id": 3})
    log.info("upgrade GET /ws?token=%s", "leaky-token-value")
    log.debug("not at INFO")

    lines = capsys.readouterr().err.strip().splitlines()
    entries = [json.loads(line) for line in lines]
    assert len(entries) == 2
    assert entries[0]["event"] == "login" and entries[0]["message"] == "user 3 signed in"
    assert "event" not in entries[1]
    assert "leaky-token-value" not in lines[1]
