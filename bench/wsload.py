"""Shared parts of the realtime benchmarks (fanout.py, idle.py): seeding a fresh SQLite
database, running a server as a pinned subprocess, reading its CPU time and memory from /proc,
and many WebSocket clients in one cheap process.

The clients are websockets' sans-I/O ClientProtocol driven by a plain asyncio.Protocol on
uvloop: one callback per received TCP segment, no task per socket and no per-message queue,
so the load generator costs a fraction of the server it measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import secrets
import socket
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select, text
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import enable_client_permessage_deflate
from websockets.frames import Frame, Opcode
from websockets.uri import parse_uri

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
SECRET_KEY = "bench-" + "k" * 40
TOKEN_MINUTES = 240
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- the machine ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def raise_nofile(wanted: int) -> int:
    """Lift this process's file-descriptor limit to `wanted` (root may raise the hard limit
    too); returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= wanted:
        return soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, max(hard, wanted)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def pick_cores(pin: bool) -> tuple[int | None, int | None]:
    """(server core, client core): two different cores when there are two, else no pinning."""
    cores = sorted(os.sched_getaffinity(0))
    if not pin or len(cores) < 2:
        return None, None
    return cores[0], cores[1]


def machine_info() -> dict:
    return {
        "cores": os.cpu_count(),
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        "file_max": int(Path("/proc/sys/fs/file-max").read_text()),
        "python": sys.version.split()[0],
    }


def proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a process, all its threads (/proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def proc_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def family(pid: int) -> list[int]:
    """`pid` and its descendants (a server's worker processes), from /proc's children lists."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(child) for child in task.read_text().split())
    return found


def proc_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the database --------------------------------------------------------------------------


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{data_dir / 'chinwag.db'}"


async def seed(
    url: str, users: int, groups: list[range], pairs: list[tuple[int, int]] = ()
) -> tuple[list[str], list[int]]:
    """Create `users` accounts (no usable password), one group per range of user indexes (the
    first of each is its owner), one direct chat per pair of user indexes, and one signed-in
    session per user, straight into the database with bulk inserts. Returns an access token
    per user and the chat ids: the groups', then the direct chats'."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from chinwag.accounts.models import Session, User
    from chinwag.accounts.security import create_access_token, new_secret, secret_hash
    from chinwag.db.base import utcnow

    engine = create_async_engine(url)  # seeding only: one bulk transaction, not the server's path
    try:
        async with engine.begin() as db:
            await db.execute(
                insert(User.__table__),
                [
                    {
                        "email": f"u{i}@bench.local",
                        "username": f"u{i}",
                        "password_hash": "!",
                        "display_name": f"User {i}",
                        "bio": "",
                        "settings": {},
                    }
                    for i in range(users)
                ],
            )
            ids = list(await db.scalars(select(User.id).order_by(User.id)))
            chat_ids = []
            for n, members in enumerate(groups):
                owner = ids[members[0]]
                roles = {ids[i]: "owner" if i == members[0] else "member" for i in members}
                chat = {"kind": "group", "name": f"bench {n}", "created_by": owner}
                chat_ids.append(await _add_chat(db, chat, roles))
            for a, b in pairs:
                low, high = sorted((ids[a], ids[b]))
                chat = {"kind": "direct", "name": "", "created_by": ids[a]}
                chat["direct_key"] = f"{low}:{high}"
                chat_ids.append(await _add_chat(db, chat, {ids[a]: "member", ids[b]: "member"}))
            expires = utcnow() + timedelta(days=1)
            sessions = [
                {
                    "id": secrets.token_hex(16),
                    "user_id": user_id,
                    "refresh_token_hash": secret_hash(new_secret()),
                    "user_agent": "bench",
                    "expires_at": expires,
                }
                for user_id in ids
            ]
            await db.execute(insert(Session.__table__), sessions)
        await _analyze(engine)
    finally:
        await engine.dispose()
    tokens = [
        create_access_token(SECRET_KEY, s["user_id"], s["id"], TOKEN_MINUTES) for s in sessions
    ]
    return tokens, chat_ids


async def _analyze(engine) -> None:
    """Give PostgreSQL's planner the seeded tables' statistics. A deployment's tables have
    them (autovacuum analyzes tables as they grow); a storm straight after a bulk seed would
    run on the planner's guess for empty tables instead: the chat list scanned every chat
    (3.5 ms of the database's CPU per socket opened, not 0.4)."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as db:
            await db.execute(text("ANALYZE"))
            await db.commit()


async def _add_chat(db, values: dict, roles: dict[int, str]) -> int:
    """A chat (`values` beyond the defaults) and its members with their roles; its id."""
    from chinwag.chats.models import Chat, ChatMembership

    chat = {"description": "", "is_public": False, "last_seq": 0, **values}
    chat_id = (
        await db.execute(insert(Chat.__table__).values(**chat).returning(Chat.id))
    ).scalar_one()
    await db.execute(
        insert(ChatMembership.__table__),
        [
            {"chat_id": chat_id, "user_id": user_id, "role": role, "last_read_seq": 0}
            for user_id, role in roles.items()
        ],
    )
    return chat_id


def chinwag_env(data_dir: Path, log_level: str) -> dict[str, str]:
    """The server's environment: ours only (no CHINWAG_* inherited), fast argon2, send limits
    far above the load, tokens that outlive the run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    env.update(
        {
            "CHINWAG_DATA_DIR": str(data_dir),
            "CHINWAG_DATABASE_URL": sqlite_url(data_dir),
            "CHINWAG_BROKER_URL": "memory://",
            "CHINWAG_SECRET_KEY": SECRET_KEY,
            "CHINWAG_PASSWORD_MEMORY_KIB": "1024",
            "CHINWAG_PASSWORD_TIME_COST": "1",
            "CHINWAG_WS_RATE_PER_SECOND": "100000",
            "CHINWAG_WS_RATE_BURST": "100000",
            "CHINWAG_WS_FRAMES_PER_SECOND": "100000",
            "CHINWAG_WS_FRAMES_BURST": "100000",
            "CHINWAG_HTTP_RATE_LIMITS": "off",  # every simulated user comes from 127.0.0.1
            "CHINWAG_ACCESS_TOKEN_MINUTES": str(TOKEN_MINUTES),
            "CHINWAG_LOG_LEVEL": log_level,
        }
    )
    return env


# -- servers -------------------------------------------------------------------------------


class ServerProcess:
    """A server in its own process, pinned to one core, with a raised descriptor limit;
    output goes to a log file."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        port: int,
        *,
        env: dict[str, str] | None,
        cwd: Path,
        log: Path,
        core: int | None,
        nofile: int,
    ) -> None:
        self.name, self.argv, self.port = name, argv, port
        self.env, self.cwd, self.log_path = env, cwd, log
        self.core, self.nofile = core, nofile
        self.process: subprocess.Popen | None = None

    def _in_child(self) -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.nofile, self.nofile))
        if self.core is not None:
            os.sched_setaffinity(0, {self.core})

    def _spawn(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and script
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=self._in_child,
            )

    async def start(self, timeout: float = 60) -> None:
        self._spawn()
        deadline = time.monotonic() + timeout
        while True:  # the port opens once the app's startup is done
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited ({self.process.returncode}); "
                    f"see {self.log_path}:\n{self.log_path.read_text()[-2000:]}"
                )
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{self.name} did not listen in {timeout} s") from None
                await asyncio.sleep(0.1)
                continue
            writer.close()
            print(f"  {self.name} server pid {self.pid} on port {self.port}", flush=True)
            return

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu(self) -> float:
        """CPU seconds of the server and its workers."""
        return sum(proc_cpu(pid) for pid in family(self.pid))

    def rss_kib(self) -> int:
        return sum(proc_rss_kib(pid) for pid in family(self.pid))

    async def stop(self, timeout: float = 20) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            await asyncio.to_thread(self.process.wait, timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            await asyncio.to_thread(self.process.wait)


def chinwag_server(
    data_dir: Path,
    port: int,
    core: int | None,
    nofile: int,
    log_level: str = "INFO",
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
) -> ServerProcess:
    """`chinwag serve` on SQLite in `data_dir` and the memory broker; `env` overrides
    settings (CHINWAG_DATABASE_URL, CHINWAG_BROKER_URL for several workers)."""
    argv = [
        sys.executable,
        "-m",
        "chinwag.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    return ServerProcess(
        "chinwag",
        argv,
        port,
        env={**chinwag_env(data_dir, log_level), **(env or {})},
        cwd=data_dir,
        log=data_dir / "chinwag.log",
        core=core,
        nofile=nofile,
    )


def bare_server(data_dir: Path, port: int, core: int | None, nofile: int) -> ServerProcess:
    argv = [sys.executable, str(ROOT / "bare_broadcast.py"), "--port", str(port)]
    return ServerProcess(
        "bare",
        argv,
        port,
        env=None,
        cwd=data_dir,
        log=data_dir / "bare.log",
        core=core,
        nofile=nofile,
    )


# -- clients -------------------------------------------------------------------------------

TextHandler = Callable[["Socket", bytes, float], None]
EMPTY_BLOCK = b"\x00\x00\xff\xff"  # RFC 7692: removed from each compressed message


class Socket(asyncio.Protocol):
    """One client WebSocket. `opened` resolves after the handshake, or with `wait_ready`
    after the first text frame (chinwag's `ready`); every later text frame goes to
    `on_text(socket, payload, perf_counter at arrival)`.

    websockets' ClientProtocol makes the handshake and every frame this socket sends (masked,
    compressed when negotiated). Received frames take one of two paths: `fast` (default) parses
    the server's unmasked frames here and inflates with the negotiated permessage-deflate
    parameters (~4 us a frame); `websockets` feeds them to ClientProtocol as well (~15 us a
    frame: its generator-based parser), to check the fast path or compare.

    With transport="socketio" it speaks Engine.IO 4 / Socket.IO 5 over /socket.io/ as
    socket.io-client does over WebSocket (open, connect to "/", pong each ping); `on_text` gets
    each event's payload (the chinwag frame) and `send_text` wraps a frame as its event."""

    def __init__(
        self,
        port: int,
        token: str | None,
        compression: bool,
        on_text: TextHandler,
        *,
        wait_ready: bool,
        parser: str = "fast",
        transport: str = "ws",
    ) -> None:
        extensions = enable_client_permessage_deflate(None) if compression else None
        self.sio = transport == "socketio"
        path = "/socket.io/?EIO=4&transport=websocket" if self.sio else "/ws"
        self.proto = ClientProtocol(
            parse_uri(f"ws://127.0.0.1:{port}{path}"), extensions=extensions, max_size=None
        )
        self.token, self.on_text, self.wait_ready = token, on_text, wait_ready
        self.fast = parser == "fast"
        self.opened: asyncio.Future = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.close_code: int | None = None
        self.lost = False
        self.ready_bytes = 0
        self._handshaking = True
        self._pending = b""
        self._inflate = None  # set when the server agreed to permessage-deflate
        self._fresh_inflater = False
        self._bits = 15

    def connection_made(self, transport) -> None:
        self.transport = transport
        request = self.proto.connect()
        if self.token:
            request.headers["Authorization"] = f"Bearer {self.token}"
        self.proto.send_request(request)
        self._flush()

    def _flush(self) -> None:
        for data in self.proto.data_to_send():
            if data:
                self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        now = time.perf_counter()
        if self._handshaking:
            data = self._handshake(data, now)
            if not data:
                return
        if self.fast:
            self._parse(data, now)
        else:
            self._feed(data, now)

    def _handshake(self, data: bytes, now: float) -> bytes:
        """Give ClientProtocol exactly the HTTP response; return what follows it."""
        data = self._pending + data
        end = data.find(b"\r\n\r\n")
        if end < 0:
            self._pending = data
            return b""
        head, rest = data[: end + 4], data[end + 4 :]
        self._pending, self._handshaking = b"", False
        self.proto.receive_data(head)
        self.proto.events_received()
        if self.proto.handshake_exc is not None:
            self._fail(self.proto.handshake_exc)
            self.transport.abort()
            return b""
        for extension in self.proto.extensions:
            if extension.name == "permessage-deflate":
                self._fresh_inflater = extension.remote_no_context_takeover
                self._bits = extension.remote_max_window_bits or 15
                self._inflate = zlib.decompressobj(wbits=-self._bits)
        if not self.wait_ready and not self.sio:
            self.opened.set_result(now)
        return rest

    def _engine_text(self, payload: bytes, now: float) -> bytes | None:
        """An event's payload (the chinwag frame), or None once Engine.IO's and Socket.IO's
        own packets are answered."""
        if payload.startswith(b'42["'):
            return payload[payload.find(b'",', 4) + 2 : -1]
        if payload == b"2":  # Engine.IO's ping
            self._send_raw("3")
        elif payload.startswith(b"0{"):  # Engine.IO open: connect to the namespace
            self._send_raw("40")
        elif payload.startswith(b"40"):  # connected; `ready` follows
            if not self.wait_ready and not self.opened.done():
                self.opened.set_result(now)
        elif payload.startswith(b"44"):
            self._fail(ConnectionError(f"connect_error {payload[2:200].decode()}"))
        return None

    def _text(self, payload: bytes, now: float) -> None:
        if self.sio:
            payload = self._engine_text(payload, now)
            if payload is None:
                return
        if self.opened.done():
            self.on_text(self, payload, now)
        else:
            self.ready_bytes = len(payload)
            self.opened.set_result(now)

    def _parse(self, data: bytes, now: float) -> None:
        buf = self._pending + data if self._pending else data
        pos, size = 0, len(buf)
        while size - pos >= 2:
            first, length = buf[pos], buf[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2 : pos + 10], "big"), 10
            end = pos + head + length
            if end > size:
                break
            payload = buf[pos + head : end]
            pos = end
            opcode = first & 0x0F
            if opcode == 1:  # text; the server never fragments these small frames
                if first & 0x40:  # RSV1: compressed
                    if self._fresh_inflater:
                        self._inflate = zlib.decompressobj(wbits=-self._bits)
                    payload = self._inflate.decompress(payload + EMPTY_BLOCK)
                self._text(payload, now)
            elif opcode == 9:  # ping
                self.proto.send_pong(payload)
                self._flush()
            elif opcode == 8:  # close
                self.close_code = int.from_bytes(payload[:2], "big") if payload else 1005
                self.transport.close()
        self._pending = buf[pos:]

    def _feed(self, data: bytes, now: float) -> None:
        proto = self.proto
        proto.receive_data(data)
        self._flush()  # pongs, close replies
        for event in proto.events_received():
            if type(event) is Frame:
                if event.opcode is Opcode.TEXT:
                    self._text(event.data, now)
                elif event.opcode is Opcode.CLOSE:
                    self.close_code = proto.close_code

    def _fail(self, exc: BaseException) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc)

    def connection_lost(self, exc) -> None:
        self.lost = True
        self._fail(exc or ConnectionError(f"closed ({self.close_code})"))

    def send_text(self, text: str) -> None:
        if self.sio:
            frame = json.loads(text)
            text = f'42["{frame.pop("type")}",{json.dumps(frame, separators=(",", ":"))}]'
        self._send_raw(text)

    def _send_raw(self, text: str) -> None:
        self.proto.send_text(text.encode())
        self._flush()

    def abort(self) -> None:
        if self.transport is not None and not self.lost:
            self.transport.abort()


async def open_sockets(
    port: int,
    tokens: list[str | None],
    *,
    compression: bool,
    on_text: TextHandler,
    wait_ready: bool,
    concurrency: int,
    parser: str = "fast",
    timeout: float = 120,
    transport: str = "ws",
) -> tuple[list[Socket | None], list[float], list[str]]:
    """Open one socket per token, `concurrency` handshakes at a time. Returns the sockets in
    the tokens' order (None where it failed), each opened one's seconds from connect to open
    (to `ready` with wait_ready), and the errors."""
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(concurrency)
    sockets: list[Socket | None] = [None] * len(tokens)
    waits: list[float] = []
    errors: list[str] = []

    async def one(index: int, token: str | None) -> None:
        async with gate:
            started = time.perf_counter()
            try:
                _, sock = await loop.create_connection(
                    lambda: Socket(
                        port,
                        token,
                        compression,
                        on_text,
                        wait_ready=wait_ready,
                        parser=parser,
                        transport=transport,
                    ),
                    "127.0.0.1",
                    port,
                )
                opened_at = await asyncio.wait_for(asyncio.shield(sock.opened), timeout)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                errors.append(f"{type(exc).__name__}: {exc}"[:200])
                return
            sockets[index] = sock
            waits.append(opened_at - started)

    await asyncio.gather(*(one(i, token) for i, token in enumerate(tokens)))
    return sockets, waits, errors


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]
