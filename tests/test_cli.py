"""The `chinwag` command, run as a real process."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

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
    again = run(
        ["users", "create", "ANA@example.com", "other", "--password", "long enough pw"], tmp_path
    )
    assert again.returncode == 1
    assert "already exists" in again.stderr


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


def test_serve_migrates_and_answers(tmp_path):
    port = _free_port()
    env = {**os.environ, "CHINWAG_DATA_DIR": str(tmp_path)}
    env.pop("CHINWAG_DATABASE_URL", None)
    server = subprocess.Popen(
        [*CHINWAG, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # wait for the port to accept, not a fixed sleep
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {server.stdout.read()}")
                time.sleep(0.1)
        assert response.status_code == 200
        assert (tmp_path / "chinwag.db").exists()
        assert (tmp_path / "secret_key").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
