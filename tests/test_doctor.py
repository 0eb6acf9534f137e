"""`chinwag doctor`, run as a real process against real services (and ports where none
listens): it says what is wrong and how to fix it, and exits 1 then."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from chinwag.db.migrate import upgrade
from tests.conftest import PG_URL, REDIS_URL, need

CHINWAG = [sys.executable, "-m", "chinwag.cli"]
STRONG_KEY = "Zq3-vN8pLw2xR7tY4uK9mB1cF6hJ0sDgEaWiOoPe"


def doctor(data_dir: Path, **env: str) -> tuple[int, dict[str, tuple[str, str]]]:
    """Exit code, and each topic's (level, message) as printed (the standard error's text
    under "stderr")."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    environment |= {"CHINWAG_DATA_DIR": str(data_dir), **env}
    result = subprocess.run(
        [*CHINWAG, "doctor"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=data_dir.parent,  # no stray .env
    )
    findings = {"stderr": ("", result.stderr)} if result.stderr else {}
    for line in result.stdout.splitlines():
        level, rest = line.split(maxsplit=1)
        topic, message = (part.strip() for part in rest.split("  ", 1))
        findings[topic] = (level, message)
    return result.returncode, findings


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Accept:
    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        return "250 OK"


def only_ana(server, session, envelope, mechanism, auth_data) -> AuthResult:
    good = (auth_data.login, auth_data.password) == (b"ana", b"s3cret")
    return AuthResult(success=good, handled=False)  # handled=False: aiosmtpd answers 535


@pytest.fixture
def smtp_port():
    controller = Controller(
        Accept(),
        hostname="127.0.0.1",
        port=closed_port(),
        authenticator=only_ana,
        auth_require_tls=False,
    )
    controller.start()
    yield controller.port
    controller.stop()


def test_a_fresh_development_setup_is_fine(tmp_path):
    code, findings = doctor(tmp_path / "data")
    assert code == 0, findings
    assert {level for level, _ in findings.values()} == {"ok"}, findings
    assert "not created yet" in findings["database"][1]
    assert "outbox" in findings["smtp"][1]


def test_migrated_sqlite_and_a_working_smtp_login_pass(tmp_path, smtp_port):
    data = tmp_path / "data"
    upgrade(f"sqlite+aiosqlite:///{data / 'chinwag.db'}")
    code, findings = doctor(data, CHINWAG_SMTP_URL=f"smtp://ana:s3cret@127.0.0.1:{smtp_port}")
    assert code == 0, findings
    assert findings["database"][0] == "ok" and "up to date" in findings["database"][1]
    assert findings["smtp"] == ("ok", f"127.0.0.1:{smtp_port} answers and accepts the login")


def test_a_wrong_smtp_password_is_named(tmp_path, smtp_port):
    code, findings = doctor(
        tmp_path / "data", CHINWAG_SMTP_URL=f"smtp://ana:nope@127.0.0.1:{smtp_port}"
    )
    assert code == 1
    assert findings["smtp"][0] == "fail" and "user and password" in findings["smtp"][1]


def test_unreachable_services_fail_with_what_to_fix(tmp_path):
    code, findings = doctor(
        tmp_path / "data",
        CHINWAG_DATABASE_URL=f"postgresql+asyncpg://chinwag:pw@127.0.0.1:{closed_port()}/chinwag",
        CHINWAG_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/0",
        CHINWAG_SMTP_URL=f"smtp://127.0.0.1:{closed_port()}",
    )
    assert code == 1
    for topic, hint in [
        ("database", "CHINWAG_DATABASE_URL"),
        ("broker", "CHINWAG_BROKER_URL"),
        ("smtp", "CHINWAG_SMTP_URL"),
    ]:
        level, message = findings[topic]
        assert level == "fail" and hint in message, (topic, message)
    assert ":pw@" not in findings["database"][1]  # the password is not printed


def test_production_mistakes(tmp_path):
    code, findings = doctor(
        tmp_path / "data",
        CHINWAG_ENV="production",
        CHINWAG_SECRET_KEY="ab" * 20,  # long enough for the settings, but guessable
        CHINWAG_PUBLIC_URL="http://chat.example.com",
        CHINWAG_ALLOWED_ORIGINS='["https://chat.example.com"]',
    )
    assert code == 1
    assert (
        findings["secret key"][0] == "fail" and "secrets.token_urlsafe" in findings["secret key"][1]
    )
    assert findings["allowed origins"][0] == "fail"
    assert "http://chat.example.com" in findings["allowed origins"][1]
    assert findings["public URL"][0] == "warn" and "https" in findings["public URL"][1]
    assert findings["smtp"][0] == "warn"  # nobody would get the reset mails


def test_a_sound_production_setup_passes(tmp_path):
    code, findings = doctor(
        tmp_path / "data",
        CHINWAG_ENV="production",
        CHINWAG_SECRET_KEY=STRONG_KEY,
        CHINWAG_PUBLIC_URL="https://chat.example.com",
    )
    assert code == 0, findings
    assert findings["secret key"][0] == "ok" and findings["public URL"][0] == "ok"


@pytest.mark.postgres
@pytest.mark.redis
def test_postgres_and_redis_that_answer(tmp_path):
    need("database", PG_URL)
    need("redis", REDIS_URL)
    code, findings = doctor(
        tmp_path / "data", CHINWAG_DATABASE_URL=PG_URL, CHINWAG_BROKER_URL=REDIS_URL
    )
    assert code == 0, findings
    assert findings["database"][0] == "ok" and "answers" in findings["database"][1]
    assert findings["broker"] == ("ok", f"{REDIS_URL.split('@')[-1]} answers")


def test_bad_settings_are_reported_before_any_check(tmp_path):
    code, findings = doctor(tmp_path / "data", CHINWAG_PUBLIC_URL="chat.example.com")
    assert code == 2
    assert list(findings) == ["stderr"] and "CHINWAG_PUBLIC_URL" in findings["stderr"][1]
