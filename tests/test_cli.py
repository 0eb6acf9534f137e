"""The `chinwag` command, run as a real process."""

import json
import os
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import trustme
from websockets.sync.client import connect

CHINWAG = [sys.executable, "-m", "chinwag.cli"]


def run(args: list[str], data_dir: Path, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "CHINWAG_DATA_DIR": str(data_dir),
        "CHINWAG_PASSWORD_MEMORY_KIB": "1024",
        "CHINWAG_PASSWORD_TIME_COST": "1",
        **env,
    }
    environment.pop("CHINWAG_DATABASE_URL", None)
    return subprocess.run(
        [*CHINWAG, *args], env=environment, capture_output=True, text=True, timeout=60, check=False
    )


def test_db_upgrade_creates_the_sqlite_database(tmp_path):
    result = run(["db", "upgrade"], tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "chinwag.db").exists()


def test_users_create_and_duplicate(tmp_path):
    ok = run(
        [
            "users",
            "create",
            "ana@example.com",
            "ana",
            "--password",
            "long enough pw",
            "--site-admin",
        ],
        tmp_path,
    )
    assert ok.returncode == 0, ok.stderr
    assert "created user 1" in ok.stdout
    # The first account founds the workspace's public "general"
    with sqlite3.connect(tmp_path / "chinwag.db") as db:
        groups = db.execute("SELECT name, is_public, created_by FROM chats").fetchall()
    assert groups == [("general", 1, 1)]
    again = run(
        ["users", "create", "ANA@example.com", "other", "--password", "long enough pw"], tmp_path
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_users_deactivate_reactivate_and_site_admin(tmp_path):
    for name in ("ana", "bob"):
        created = run(
            ["users", "create", f"{name}@example.com", name, "--password", "pw long enough"],
            tmp_path,
        )
        assert created.returncode == 0, created.stderr
    assert run(["users", "site-admin", "ana"], tmp_path).returncode == 0
    off = run(["users", "deactivate", "bob@example.com"], tmp_path)
    assert off.returncode == 0 and "deactivated" in off.stdout, off.stderr
    # The last site administrator stays one.
    last = run(["users", "site-admin", "ana", "--off"], tmp_path)
    assert last.returncode == 1 and "at least one site administrator" in last.stderr
    assert run(["users", "reactivate", "bob"], tmp_path).returncode == 0
    unknown = run(["users", "deactivate", "nobody"], tmp_path)
    assert unknown.returncode == 1 and "no account nobody" in unknown.stderr
    with sqlite3.connect(tmp_path / "chinwag.db") as db:
        actions = db.execute("SELECT action, actor_id FROM audit_log ORDER BY id").fetchall()
    assert actions == [
        ("user.site_admin_granted", None),
        ("user.deactivated", None),
        ("user.reactivated", None),
    ]


def test_users_created_by_the_operator_are_verified(tmp_path):
    # SMTP is never reached: no link is mailed for an account the operator made.
    required = {"CHINWAG_EMAIL_VERIFICATION": "required", "CHINWAG_SMTP_URL": "smtp://127.0.0.1:9"}
    args = ["users", "create", "op@example.com", "operator", "--password", "long enough pw"]
    result = run(args, tmp_path, **required)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "chinwag.db") as db:
        (verified_at,) = db.execute("SELECT email_verified_at FROM users").fetchone()
        assert verified_at is not None
        assert db.execute("SELECT count(*) FROM email_verifications").fetchone() == (0,)


def test_verification_required_without_smtp_refuses_to_start(tmp_path):
    result = run(["db", "upgrade"], tmp_path, CHINWAG_EMAIL_VERIFICATION="required")
    assert result.returncode != 0
    assert "CHINWAG_SMTP_URL" in result.stderr and not (tmp_path / "chinwag.db").exists()


def test_users_create_validates_input(tmp_path):
    result = run(["users", "create", "not-an-email", "a", "--password", "short"], tmp_path)
    assert result.returncode == 2
    assert "email" in result.stderr and "username" in result.stderr


def test_serve_refuses_workers_with_the_memory_broker(tmp_path):
    result = run(["serve", "--workers", "2"], tmp_path, CHINWAG_BROKER_URL="memory://")
    assert result.returncode == 2
    assert "CHINWAG_BROKER_URL=redis://" in result.stderr


def test_serve_reports_bad_settings(tmp_path):
    result = run(["serve"], tmp_path, CHINWAG_ENV="production", CHINWAG_SECRET_KEY="weak")
    assert result.returncode == 2
    assert "CHINWAG_SECRET_KEY" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(
    data_dir: Path, *args: str, lines: list[str] | None = None, verify: ssl.SSLContext | None = None
) -> Iterator[str]:
    """`chinwag serve` on a free port, once it answers; its base URL. The first line it
    printed is appended to `lines`. With `verify`, it is served over https."""
    scheme = "https" if verify else "http"
    port = _free_port()
    env = {
        **os.environ,
        "CHINWAG_DATA_DIR": str(data_dir),
        "CHINWAG_PASSWORD_MEMORY_KIB": "1024",
        "CHINWAG_PASSWORD_TIME_COST": "1",
    }
    env.pop("CHINWAG_DATABASE_URL", None)
    env.pop("CHINWAG_PUBLIC_URL", None)
    server = subprocess.Popen(
        [*CHINWAG, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # wait for the port to accept, not a fixed sleep
            try:
                httpx.get(f"{scheme}://127.0.0.1:{port}/readyz", timeout=2, verify=verify or True)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {server.stdout.read()}")
                time.sleep(0.1)
        if lines is not None:
            lines.append(server.stdout.readline())
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()


def test_serve_migrates_and_answers(tmp_path):
    with serving(tmp_path) as url:
        assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200
        assert (tmp_path / "chinwag.db").exists()
        assert (tmp_path / "secret_key").exists()


def test_serve_answers_text_that_is_not_utf8_and_keeps_the_socket(tmp_path):
    # uvicorn's own WebSocket protocol would log a traceback and close with 1007.
    with serving(tmp_path) as url:
        user = {"email": "ana@example.com", "username": "ana", "password": "correct horse"}
        assert httpx.post(f"{url}/api/auth/register", json=user).status_code == 201
        login = {"login": "ana", "password": "correct horse"}
        token = httpx.post(f"{url}/api/auth/login", json=login).json()["access_token"]
        ws_url = url.replace("http", "ws", 1) + f"/ws?token={token}"
        with connect(ws_url, open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "ready"
            ws.send(b'{"type": "ping", "x": "\xff"}', text=True)
            assert json.loads(ws.recv(timeout=10))["code"] == "invalid_frame"
            ws.send(json.dumps({"type": "ping"}))
            assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}


def wait_for_mail(outbox: Path, holding: str, seconds: float = 30) -> str:
    """The text of the first mail in `outbox` (quoted-printable line breaks undone), once it
    is written far enough to hold `holding`."""
    deadline = time.monotonic() + seconds
    while True:
        found = sorted(outbox.glob("*.eml"))
        text = found[0].read_text().replace("=\n", "") if found else ""
        if holding in text:
            return text
        assert time.monotonic() < deadline, f"no mail holding {holding!r} in {outbox}: {text}"
        time.sleep(0.05)


def test_serve_says_where_to_browse_and_mails_links_to_the_port_it_serves(tmp_path):
    lines: list[str] = []
    with serving(tmp_path, lines=lines) as url:
        assert f"open {url}/ in a browser" in lines[0]
        user = {"email": "ana@example.com", "username": "ana", "password": "correct horse"}
        assert httpx.post(f"{url}/api/auth/register", json=user).status_code == 201
        reset = httpx.post(f"{url}/api/auth/password-reset", json={"email": user["email"]})
        assert reset.status_code == 202
        mail = wait_for_mail(tmp_path / "outbox", "#/reset?token=")
    assert f"{url}/#/reset?token=" in mail


def test_serve_over_https_with_certfile_and_keyfile(tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    trust = ssl.create_default_context()
    ca.configure_trust(trust)
    lines: list[str] = []
    tls = ["--certfile", str(tmp_path / "cert.pem"), "--keyfile", str(tmp_path / "key.pem")]
    with serving(tmp_path / "data", *tls, lines=lines, verify=trust) as url:
        assert url.startswith("https://")
        # the public URL (mailed links, the printed address) follows the scheme served
        assert f"open {url}/ in a browser" in lines[0]
        health = httpx.get(f"{url}/healthz", verify=trust, timeout=5)
    assert health.status_code == 200
    assert health.headers["strict-transport-security"] == "max-age=31536000"


def cli(args: list[str], data_dir: Path, code: int = 0, **env) -> subprocess.CompletedProcess:
    result = run(args, data_dir, **env)
    assert result.returncode == code, result.stdout + result.stderr
    return result


def test_workspace_show_and_set_through_the_service_audited(tmp_path):
    cli(["users", "create", "ana@example.com", "ana", "--password", "long enough pw"], tmp_path)
    shown = cli(["workspace", "show"], tmp_path).stdout
    assert "registration: open" in shown and "default groups: general (#1)" in shown
    assert "public groups by: everyone" in shown
    changed = cli(
        [
            "workspace",
            "set",
            "--name",
            "Acme",
            "--public-groups-by",
            "admins",
            "--no-default-groups",
        ],
        tmp_path,
    ).stdout
    assert "name: Acme" in changed and "default groups: none" in changed
    assert "public groups by: admins" in changed
    refused = cli(["workspace", "set", "--registration", "maybe"], tmp_path, 2)
    assert "registration" in refused.stderr
    missing = cli(["workspace", "set", "--default-group", "design"], tmp_path, 1)
    assert "no group design" in missing.stderr
    again = cli(["workspace", "set", "--default-group", "GENERAL"], tmp_path).stdout
    assert "default groups: general (#1)" in again
    with sqlite3.connect(tmp_path / "chinwag.db") as db:
        entries = db.execute(
            "SELECT action, actor_id, details FROM audit_log ORDER BY id"
        ).fetchall()
    # only what changed is recorded (the name was already Acme the second time round)
    assert [(a, actor, json.loads(d)) for a, actor, d in entries] == [
        (
            "workspace.changed",
            None,
            {"name": "Acme", "public_groups_by": "admins", "default_group_ids": []},
        ),
        ("workspace.changed", None, {"default_group_ids": [1]}),
    ]


def test_invitations_are_made_listed_revoked_and_the_audit_log_printed(tmp_path):
    cli(["users", "create", "ana@example.com", "ana", "--password", "long enough pw"], tmp_path)
    made = cli(
        [
            "invitations",
            "create",
            "--email",
            "eve@example.com",
            "--days",
            "3",
            "--group",
            "general",
        ],
        tmp_path,
    ).stdout
    link = made.splitlines()[1]
    assert made.startswith("invitation 1, valid until ") and "/#/join?invitation=" in link
    # the link is mailed to the address, from nobody's account
    mail = wait_for_mail(tmp_path / "outbox", "#/join?invitation=")
    token = link.split("invitation=")[1]
    assert token in mail and "An administrator invited you" in mail
    cli(["invitations", "create", "--unlimited"], tmp_path)
    bad = cli(["invitations", "create", "--days", "31"], tmp_path, 2)
    assert "expires_in_days" in bad.stderr
    listed = cli(["invitations", "list"], tmp_path).stdout.splitlines()
    assert listed[0].startswith("#2\tvalid\tanyone\tuses 0/any")
    assert listed[1].startswith("#1\tvalid\teve@example.com\tuses 0/1")
    assert "groups: general (#1)" in listed[1] and listed[1].endswith("by command line")
    cli(["invitations", "revoke", "1"], tmp_path)
    twice = cli(["invitations", "revoke", "1"], tmp_path, 1)
    assert "revoked already" in twice.stderr
    assert cli(["invitations", "list"], tmp_path).stdout.splitlines()[1].startswith("#1\trevoked")
    # the token itself was never stored
    assert token not in (tmp_path / "chinwag.db").read_bytes().decode("latin-1")
    log = cli(["audit", "--limit", "2"], tmp_path).stdout.splitlines()
    assert len(log) == 2
    assert log[0].split("\t")[2:] == ["command line", "invitation.revoked", '{"invitation_id": 1}']
    assert log[1].split("\t")[3] == "invitation.created"
    older = cli(["audit", "--before", "2"], tmp_path).stdout.splitlines()
    assert [line.split("\t")[3] for line in older] == ["invitation.created"]


def test_groups_retention_is_the_owners_rule_from_the_command_line(tmp_path):
    cli(["users", "create", "ana@example.com", "ana", "--password", "long enough pw"], tmp_path)
    kept = {"CHINWAG_RETENTION_DAYS": "60"}
    shorter = cli(["groups", "retention", "general", "30"], tmp_path, **kept)
    assert shorter.stdout.strip() == "general (#1) keeps messages for 30 days"
    longer = cli(["groups", "retention", "general", "90"], tmp_path, 1, **kept)
    assert "at most 60 days" in longer.stderr
    assert "no group team" in cli(["groups", "retention", "team", "5"], tmp_path, 1).stderr
    assert cli(["groups", "retention", "general", "soon"], tmp_path, 2).returncode == 2
    off = cli(["groups", "retention", "#1", "off"], tmp_path, **kept)
    assert off.stdout.strip() == "general (#1) keeps messages as the workspace does (60 days)"
    with sqlite3.connect(tmp_path / "chinwag.db") as db:
        texts = [t for (t,) in db.execute("SELECT text FROM messages WHERE kind = 'system'")]
        entries = db.execute("SELECT action, actor_id, details FROM audit_log ORDER BY id")
        audited = [(a, actor, json.loads(d)) for a, actor, d in entries]
        (retention,) = db.execute("SELECT retention_days FROM chats WHERE id = 1").fetchone()
    assert texts[-2:] == [
        "An administrator set messages to be kept for 30 days",
        "An administrator set messages to be kept as long as the workspace keeps them (60 days)",
    ]
    assert audited == [
        ("chat.retention_set", None, {"chat_id": 1, "retention_days": 30}),
        ("chat.retention_set", None, {"chat_id": 1, "retention_days": None}),
    ]
    assert retention is None
