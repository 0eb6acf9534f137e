"""The database goes away and comes back: an ordinary error, not a hang, a 500 or a restart.

PostgreSQL is a cluster of this module's own (never the shared one), which the tests stop
(`pg_ctl stop -m fast`) and freeze (SIGSTOP of the postmaster and every backend), then bring
back; SQLite is write-locked by another connection (`BEGIN EXCLUSIVE`). Meanwhile every REST
call and socket send answers `database_unavailable` within BOUND seconds, nothing is acked or
broadcast, /readyz says 503 and open sockets stay open; afterwards the same server (same
sockets) works again and every acked message is stored, seqs contiguous.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import websockets
from sqlalchemy import text
from sqlalchemy.engine import make_url
from websockets.exceptions import InvalidStatus

from chinwag.client import ChinwagClient
from chinwag.db.database import PG_LANES
from chinwag.db.migrate import upgrade
from tests.conftest import IN_CI, Person, _truncate_pg, assert_error
from tests.multiprocess.helpers import free_port
from tests.realtime.helpers import barrier, events_of, history, new_group

BOUND = 5.0  # seconds within which every call answers while the database is away
RECOVERY = 15.0  # seconds within which sends work again once it is back
TEST_TIMEOUT = 60.0  # a hang fails the test instead of blocking the run


def _postgres_bin() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    return Path(found[0]) if found and Path(found[0], "initdb").exists() else None


def need_postgres_binaries() -> Path:
    """Skip outside CI when initdb/pg_ctl are missing; in CI that is a failure."""
    bindir = _postgres_bin()
    why = None
    if bindir is None:
        why = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) are not installed"
    elif os.geteuid() == 0 and (shutil.which("runuser") is None or not _user_exists("postgres")):
        why = "running as root needs the postgres user and runuser to start a private cluster"
    if why:
        if IN_CI:
            pytest.fail(why)
        pytest.skip(why)
    return bindir


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class PrivateCluster:
    """A PostgreSQL cluster in a temporary folder, on a free port of 127.0.0.1, trust auth.
    initdb and postgres refuse to run as root: then they run as the postgres user."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="chinwag-pg-"))  # short: holds the socket
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/chinwag"
        self.running = False
        self.frozen: list[int] = []
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.bindir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(  # noqa: S603 - our own command
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}{done.stderr}")

    def create(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("listen_addresses = '127.0.0.1'\nfsync = off\nmax_connections = 60\n")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "chinwag")
        upgrade(self.url)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root}"
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")
        self.running = False

    def _postmaster(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def freeze(self) -> None:
        """SIGSTOP the postmaster (first: then it forks nothing new) and all its children."""
        postmaster = self._postmaster()
        os.kill(postmaster, signal.SIGSTOP)
        self.frozen = [postmaster, *_children(postmaster)]
        for pid in self.frozen[1:]:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in reversed(self.frozen):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = []

    def remove(self) -> None:
        self.thaw()
        if self.running:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc: field 4 of /proc/N/stat)."""
    found = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = Path(stat).read_text().rpartition(")")[2].split()
            if int(fields[1]) == pid:
                found.append(int(Path(stat).parent.name))
    return found


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    pg = PrivateCluster(need_postgres_binaries())
    try:
        pg.create()
        yield pg
    finally:
        pg.remove()


@pytest.fixture
def pg(cluster) -> Iterator[PrivateCluster]:
    """The cluster, running and thawed again after each test (even a failed one)."""
    yield cluster
    cluster.thaw()
    if not cluster.running:
        cluster.start()


@pytest.fixture
def database_url(request, tmp_path) -> str:
    """Overrides the suite's: "sqlite" (a file of this test's own) or "postgres" (the private
    cluster, emptied)."""
    if request.param == "sqlite":
        path = tmp_path / "chinwag.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url = request.getfixturevalue("pg").url
    asyncio.run(_truncate_pg(url))
    return url


@pytest.fixture
def settings_overrides() -> dict:
    # The chatter below sends as fast as acks come back: no rate limit in the way.
    return {"ws_rate_per_second": 10_000, "ws_rate_burst": 10_000}


postgres = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


# -- probes --------------------------------------------------------------------------------


async def answers_within_bound(probes: dict[str, Awaitable]) -> list:
    """Await every probe at once; what each answered, failing any that takes over BOUND."""
    took: dict[str, float] = {}

    async def timed(what: str, probe: Awaitable):
        started = time.monotonic()
        try:
            async with asyncio.timeout(BOUND):
                return await probe
        except TimeoutError:
            pytest.fail(f"{what}: no answer within {BOUND} s")
        finally:
            took[what] = round(time.monotonic() - started, 2)

    answers = await asyncio.gather(*(timed(what, probe) for what, probe in probes.items()))
    print("answered in (s):", took)
    return answers


def ws_url(live) -> str:
    return live.url.replace("http", "ws", 1) + "/ws"


async def handshake_status(live, person) -> int:
    """101 when the socket opens (and sends `ready`), else the HTTP status of the refusal."""
    try:
        async with websockets.connect(ws_url(live), additional_headers=person.headers) as ws:
            assert '"type":"ready"' in await ws.recv()
            return 101
    except InvalidStatus as refused:
        return refused.response.status_code


async def ws_reply(client, chat_id: int, text: str) -> dict:
    """Send over the socket; the ack or error frame carrying that client_id."""
    client_id = uuid.uuid4().hex
    await client.frame(
        {"type": "message.send", "chat_id": chat_id, "text": text, "client_id": client_id}
    )
    return await client.wait_for(
        lambda e: e["type"] in ("ack", "error") and e.get("client_id") == client_id, BOUND + 1
    )


@contextlib.asynccontextmanager
async def chatter(client, chat_id: int):
    """Sends one after another over the socket while the block runs; yields the list of the
    messages acked (answers `database_unavailable` are expected meanwhile)."""
    acked: list[dict] = []
    done = asyncio.Event()

    async def run() -> None:
        n = 0
        while not done.is_set():
            n += 1
            reply = await ws_reply(client, chat_id, f"chatter {n}")
            if reply["type"] == "ack":
                acked.append(reply["message"])
            else:
                assert reply["code"] == "database_unavailable", reply
                await asyncio.sleep(0.05)  # pace retries while the database is away

    task = asyncio.create_task(run())
    try:
        yield acked
    finally:
        done.set()
        await asyncio.wait_for(task, BOUND + 2)


async def until_acked(client, chat_id: int, text: str) -> dict:
    """Send until one is acked (database_unavailable until the database is back)."""
    deadline = time.monotonic() + RECOVERY
    while True:
        reply = await ws_reply(client, chat_id, text)
        if reply["type"] == "ack":
            return reply["message"]
        assert reply["code"] == "database_unavailable", reply
        if time.monotonic() > deadline:
            pytest.fail(f"sends still refused {RECOVERY} s after the database came back")
        await asyncio.sleep(0.05)


@dataclass
class Scene:
    """ana, bob and cyd in a group, each with a socket open; the messages acked so far."""

    ana: Person
    bob: Person
    ana_ws: ChinwagClient
    bob_ws: ChinwagClient
    cyd_ws: ChinwagClient
    chat_id: int
    acked: list[dict]


@pytest.fixture
async def scene(people, http, connect) -> Scene:
    ana, bob, cyd = await people("ana", "bob", "cyd")
    chat = await new_group(http, ana, bob, cyd)
    ana_ws, bob_ws, cyd_ws = await connect(ana), await connect(bob), await connect(cyd)
    first = await ana_ws.send(chat["id"], "before")
    await bob_ws.wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["id"] == first["id"]
    )
    return Scene(ana, bob, ana_ws, bob_ws, cyd_ws, chat["id"], [first])


async def check_outage(live, http, scene: Scene) -> None:
    """With the database away, at the same time: REST, a socket send, /readyz and a new
    socket all answer database_unavailable (or 503) within BOUND, and a socket closing is
    cleaned up (its user goes offline); the open sockets stay open, nothing is broadcast."""

    async def cyd_leaves() -> None:
        cyd_id = scene.cyd_ws.ready["user"]["id"]
        await scene.cyd_ws.disconnect()
        await scene.bob_ws.wait_for(
            lambda e: (
                e["type"] == "presence" and e["status"] == "offline" and e["user_id"] == cyd_id
            ),
            BOUND,
        )

    headers = scene.ana.headers
    probes = {
        "GET /api/chats": http.get("/api/chats", headers=headers),
        "POST message": http.post(
            f"/api/chats/{scene.chat_id}/messages",
            headers=headers,
            json={"text": "while away (REST)", "client_id": uuid.uuid4().hex},
        ),
        "socket send": ws_reply(scene.ana_ws, scene.chat_id, "while away (socket)"),
        "/readyz": http.get("/readyz"),
        "handshake": handshake_status(live, scene.bob),
        "socket closing": cyd_leaves(),
    }
    chats, post, reply, ready, status, _ = await answers_within_bound(probes)
    assert_error(chats, 503, "database_unavailable")
    assert chats.headers.get("retry-after")
    assert_error(post, 503, "database_unavailable")
    assert reply["type"] == "error" and reply["code"] == "database_unavailable", reply
    assert ready.status_code == 503 and ready.json()["checks"]["database"] == "failed"
    assert status == 503  # refused before accept, as plain HTTP: not a 500, not a 403

    # Both sockets are still open and answer; nothing of the outage was acked or broadcast.
    await barrier(scene.ana_ws, BOUND)
    await barrier(scene.bob_ws, BOUND)
    assert scene.ana_ws.close_code is None and scene.bob_ws.close_code is None
    assert not events_of(scene.ana_ws, "ack", client_id=reply["client_id"])
    for client in (scene.ana_ws, scene.bob_ws):
        away = [e for e in events_of(client, "message.new") if "away" in e["message"]["text"]]
        assert away == []


async def check_recovery(live, http, scene: Scene) -> None:
    """The database is back: the same server and sockets work again, nothing acked is lost."""
    back = await until_acked(scene.ana_ws, scene.chat_id, "back again")
    await scene.bob_ws.wait_for(
        lambda e: e["type"] == "message.new" and e["message"]["id"] == back["id"], BOUND
    )
    assert (await http.get("/readyz")).status_code == 200
    assert (await http.get("/api/chats", headers=scene.ana.headers)).status_code == 200
    assert await handshake_status(live, scene.bob) == 101
    stored = await history(http, scene.bob, scene.chat_id)
    assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))
    by_id = {m["id"]: m for m in stored}
    for message in [*scene.acked, back]:
        assert by_id[message["id"]]["text"] == message["text"]
        assert by_id[message["id"]]["seq"] == message["seq"]
    assert scene.ana_ws.close_code is None and scene.bob_ws.close_code is None  # the same


# -- PostgreSQL ----------------------------------------------------------------------------


@postgres
async def test_postgres_stopped_then_started_again(pg, live, http, scene):
    async with asyncio.timeout(TEST_TIMEOUT):
        async with chatter(scene.ana_ws, scene.chat_id) as during:
            await asyncio.to_thread(pg.stop)  # while sends are in flight
        scene.acked += during
        await check_outage(live, http, scene)
        await asyncio.to_thread(pg.start)
        await check_recovery(live, http, scene)


@postgres
async def test_postgres_frozen_then_thawed(pg, live, http, scene):
    async with asyncio.timeout(TEST_TIMEOUT):
        async with chatter(scene.ana_ws, scene.chat_id) as during:
            await asyncio.sleep(0.1)  # some sends acked, then frozen mid-flight
            pg.freeze()
        scene.acked += during
        try:
            await check_outage(live, http, scene)
        finally:
            pg.thaw()
        await check_recovery(live, http, scene)


# -- SQLite --------------------------------------------------------------------------------


@sqlite
async def test_sqlite_write_locked_by_another_connection(database_url, live, http, scene):
    path = make_url(database_url).database
    holder = sqlite3.connect(path, timeout=BOUND, isolation_level=None, check_same_thread=False)
    async with asyncio.timeout(TEST_TIMEOUT):
        await asyncio.to_thread(holder.execute, "BEGIN EXCLUSIVE")
        try:
            probes = {
                "POST message": http.post(
                    f"/api/chats/{scene.chat_id}/messages",
                    headers=scene.ana.headers,
                    json={"text": "while locked", "client_id": uuid.uuid4().hex},
                ),
                "socket send": ws_reply(scene.ana_ws, scene.chat_id, "while locked (socket)"),
                "/readyz": http.get("/readyz"),
                "GET history": history(http, scene.bob, scene.chat_id),
            }
            post, reply, ready, read = await answers_within_bound(probes)
            assert_error(post, 503, "database_unavailable")
            assert reply["type"] == "error" and reply["code"] == "database_unavailable", reply
            assert ready.status_code == 503
            assert scene.acked[0]["id"] in [m["id"] for m in read]  # reads go on (WAL)
            assert not [m for m in read if "locked" in (m["text"] or "")]
            await barrier(scene.bob_ws, BOUND)
            new = [e["message"]["id"] for e in events_of(scene.bob_ws, "message.new")]
            assert new == [scene.acked[0]["id"]]
        finally:
            await asyncio.to_thread(holder.execute, "ROLLBACK")
            holder.close()
        await check_recovery(live, http, scene)


# -- a unit that raises what no `except Exception` catches ---------------------------------


class Escaped(BaseException):
    """Not an Exception: it slips past every `except Exception` on its way out of a unit."""


def _escape(db) -> None:
    db.execute(text("SELECT 1"))
    raise Escaped


def _one(db) -> int:
    return db.execute(text("SELECT 1")).scalar()


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
async def test_a_unit_escaping_with_a_base_exception_leaves_the_writers_working(ctx):
    async with asyncio.timeout(BOUND * 2):
        for key in range(PG_LANES):  # every lane (PostgreSQL) or the one writer thread
            with pytest.raises((Escaped, RuntimeError)):
                await ctx.db.write(_escape, key=key)
            assert await ctx.db.write(_one, key=key) == 1
