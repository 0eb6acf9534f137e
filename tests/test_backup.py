"""`chinwag backup` and `chinwag restore`, run as real processes: a backup taken while a
live server stores messages holds every message acked before it began, and a server started
on the restored copy serves them and the uploaded files."""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from chinwag.client import ChinwagClient
from tests.conftest import PG_URL, need, settings_for
from tests.realtime.conftest import start_server, stop_server

CHINWAG = [sys.executable, "-m", "chinwag.cli"]
PASSWORD = "correct horse battery"
SENDERS = 4
ACKED_BEFORE_BACKUP = 40  # messages stored before the backup starts
FILE_BYTES = b"minutes of the meeting\n" * 100


def environment(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    return env | {"CHINWAG_DATA_DIR": str(data_dir), "CHINWAG_DATABASE_URL": database_url}


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'chinwag.db'}"


async def chinwag(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *CHINWAG, *args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode, output.decode()


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CHINWAG, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def sign_up(http: httpx.AsyncClient, name: str) -> dict:
    person = {"email": f"{name}@example.com", "username": name, "password": PASSWORD}
    assert (await http.post("/api/auth/register", json=person)).status_code == 201
    login = await http.post("/api/auth/login", json={"login": name, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def stored_text_messages(database: Path) -> set[int]:
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT id FROM messages WHERE kind != 'system'").fetchall()
    return {row[0] for row in rows}


@pytest.fixture
def data_dir(tmp_path, sqlite_template) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(sqlite_template, data / "chinwag.db")
    return data


async def test_a_backup_under_live_sends_holds_every_acked_message(tmp_path, data_dir):
    settings = settings_for(sqlite_url(data_dir), data_dir)
    server, task, live = await start_server(settings)
    try:
        async with httpx.AsyncClient(base_url=live.url) as http:
            ana = await sign_up(http, "ana")
            chat = (await http.post("/api/chats", headers=ana, json={"name": "team"})).json()
            upload = await http.post(
                "/api/files", headers=ana, files={"file": ("minutes.txt", FILE_BYTES)}
            )
            shared = await http.post(
                f"/api/chats/{chat['id']}/messages",
                headers=ana,
                json={"text": "the minutes", "attachment_ids": [upload.json()["id"]]},
            )
            assert shared.status_code == 201, shared.text
            token = ana["Authorization"].removeprefix("Bearer ")

        acked: list[int] = [shared.json()["id"]]
        enough, stop = asyncio.Event(), asyncio.Event()

        async def keep_sending(n: int) -> None:
            client = ChinwagClient(live.url, token)
            await client.connect()
            try:
                for i in itertools.count():
                    if stop.is_set():
                        return
                    acked.append((await client.send(chat["id"], f"sender {n}: {i}"))["id"])
                    if len(acked) >= ACKED_BEFORE_BACKUP:
                        enough.set()
            finally:
                await client.close()

        senders = [asyncio.create_task(keep_sending(n)) for n in range(SENDERS)]
        await asyncio.wait_for(enough.wait(), 60)
        acked_before = set(acked)
        code, output = await chinwag(
            "backup", str(tmp_path / "backup"), env=environment(data_dir, sqlite_url(data_dir))
        )
        acked_while_backing_up = len(acked) - len(acked_before)
        stop.set()
        await asyncio.gather(*senders)
    finally:
        await stop_server(server, task)
    assert code == 0, output
    assert acked_while_backing_up > 0, output  # the server kept storing while the backup ran

    restored = tmp_path / "restored"
    result = run(
        "restore", str(tmp_path / "backup"), env=environment(restored, sqlite_url(restored))
    )
    assert result.returncode == 0, result.stderr
    in_copy = stored_text_messages(restored / "chinwag.db")
    assert acked_before <= in_copy
    assert in_copy <= set(acked)  # and nothing that was never acked

    # A server on the restored copy serves the history and the file.
    server, task, live = await start_server(settings_for(sqlite_url(restored), restored))
    try:
        async with httpx.AsyncClient(base_url=live.url) as http:
            login = await http.post("/api/auth/login", json={"login": "ana", "password": PASSWORD})
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            page = await http.get(f"/api/chats/{chat['id']}/messages?limit=100", headers=headers)
            file = await http.get(upload.json()["url"], headers=headers)
    finally:
        await stop_server(server, task)
    assert page.status_code == 200 and page.json()
    assert file.status_code == 200 and file.content == FILE_BYTES


def test_restore_keeps_what_it_replaces(tmp_path, data_dir):
    env = environment(data_dir, sqlite_url(data_dir))
    (data_dir / "files" / "ab").mkdir(parents=True)
    (data_dir / "files" / "ab" / "abcdef").write_bytes(b"kept")
    assert run("backup", str(tmp_path / "backup"), env=env).returncode == 0

    refused = run("restore", str(tmp_path / "backup"), env=env)
    assert refused.returncode == 1 and "--replace" in refused.stderr
    done = run("restore", str(tmp_path / "backup"), "--replace", env=env)
    assert done.returncode == 0, done.stderr
    aside = next(data_dir.glob("before-restore-*"))
    assert (aside / "chinwag.db").exists()
    assert (aside / "files" / "ab" / "abcdef").read_bytes() == b"kept"
    assert (data_dir / "files" / "ab" / "abcdef").read_bytes() == b"kept"  # from the backup
    assert (data_dir / "chinwag.db").exists()


def test_backup_refuses_a_folder_in_use_and_what_is_not_a_backup(tmp_path, data_dir):
    env = environment(data_dir, sqlite_url(data_dir))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    refused = run("backup", str(tmp_path / "full"), env=env)
    assert refused.returncode == 1 and "not empty" in refused.stderr
    wrong = run(
        "restore",
        str(tmp_path / "full"),
        env=environment(tmp_path / "new", sqlite_url(tmp_path / "new")),
    )
    assert wrong.returncode == 1 and "not a chinwag backup" in wrong.stderr


def test_postgres_is_sent_to_pg_dump(tmp_path):
    need("database", PG_URL)
    result = run("backup", str(tmp_path / "backup"), env=environment(tmp_path, PG_URL))
    assert result.returncode == 1 and "pg_dump" in result.stderr
    assert not (tmp_path / "backup").exists()


async def test_restore_is_refused_while_a_server_serves_from_the_data_directory(tmp_path, data_dir):
    env = environment(data_dir, sqlite_url(data_dir))
    assert run("backup", str(tmp_path / "backup"), env=env).returncode == 0
    settings = settings_for(sqlite_url(data_dir), data_dir)
    server, task, _ = await start_server(settings)
    try:
        refused = await chinwag("restore", str(tmp_path / "backup"), "--replace", env=env)
    finally:
        await stop_server(server, task)
    assert refused[0] == 1 and "is serving from" in refused[1]
    assert not list(data_dir.glob("before-restore-*"))  # nothing was moved
    done = await chinwag("restore", str(tmp_path / "backup"), "--replace", env=env)
    assert done[0] == 0, done[1]  # stopped: the lock went with the server


def test_the_web_push_key_goes_into_the_backup_and_comes_back(tmp_path, data_dir):
    from chinwag.notifications.notifier import Notifier
    from chinwag.notifications.vapid import KEY_FILE

    before = Notifier(data_dir).public_key  # as the first start makes it
    env = environment(data_dir, sqlite_url(data_dir))
    assert run("backup", str(tmp_path / "backup"), env=env).returncode == 0
    assert (tmp_path / "backup" / KEY_FILE).exists()
    (data_dir / KEY_FILE).unlink()
    done = run("restore", str(tmp_path / "backup"), "--replace", env=env)
    assert done.returncode == 0, done.stderr
    assert Notifier(data_dir).public_key == before  # subscriptions made with it still work
