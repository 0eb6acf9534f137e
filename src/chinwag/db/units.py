"""Units of work: a unit is a plain synchronous function `fn(db: Tx, *args)` run inside one
transaction where the driver lives (synapse's runInteraction). `Tx` is the ORM Session (made
on first use: hot units that only run prepared statements never pay for one) plus the raw
connection that prepared statements (chinwag.db.prepared) run on.

Write units are committed in batches (group commit): a batch runs first as one plain
transaction; if a unit raises (a duplicate client_id, a permission error, a constraint), it
runs again with a SAVEPOINT per unit, so that unit is rolled back alone and its neighbours
commit. A unit never commits or rolls back itself;
to try something that may fail and carry on, it uses `with db.begin_nested():`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

UnitFn = Callable[..., Any]


class Tx:
    """What a unit gets: the transaction's connection and, on first use of any Session
    attribute (db.execute, db.get, db.add...), an ORM Session joined to it."""

    __slots__ = ("conn", "_session", "_dbapi")

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._session: Session | None = None
        self._dbapi = None

    @property
    def session(self) -> Session:
        if self._session is None:
            # rollback_only: the Session never commits; the batch does, and a failed unit
            # is undone by its SAVEPOINT.
            self._session = Session(
                bind=self.conn,
                join_transaction_mode="rollback_only",
                expire_on_commit=False,
                autoflush=False,
            )
        return self._session

    @property
    def dbapi(self):
        """The driver's connection (sqlite3, or SQLAlchemy's asyncpg adapter)."""
        if self._dbapi is None:
            self._dbapi = self.conn.connection.dbapi_connection
        return self._dbapi

    @property
    def dialect(self) -> str:
        return self.conn.dialect.name

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)

    def finish(self) -> None:
        """Flush what the unit left pending in its Session."""
        if self._session is not None:
            self._session.flush()

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def transactional(fn: UnitFn) -> UnitFn:
    """Mark a read unit that needs a transaction of its own (`SET LOCAL`): on PostgreSQL reads
    otherwise run in autocommit, one snapshot per statement, as READ COMMITTED gives anyway."""
    fn.transactional = True
    return fn


def is_transactional(fn: UnitFn) -> bool:
    return getattr(fn, "transactional", False)


@dataclass(slots=True)
class Work:
    """One unit waiting for the writer, and what became of it."""

    fn: UnitFn
    args: tuple
    key: int | None = None  # what the unit locks first (a chat id): batches run in key order
    deadline: float = float("inf")  # when its caller stops waiting (the writer's clock)
    ok: bool = False
    value: Any = None
    retry: bool = False


def _raw(conn: Connection, sql: str) -> None:
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _call(conn: Connection, fn: UnitFn, args: tuple) -> Any:
    """`fn(tx, *args)` with a Tx of its own; what it left pending in its Session flushed."""
    tx = Tx(conn)
    try:
        result = fn(tx, *args)
        tx.finish()
        return result
    finally:
        tx.close()


def run_alone(conn: Connection, fn: UnitFn, args: tuple) -> Any:
    """One unit in a transaction of its own: a read (one snapshot for all its statements) or
    a write run outside any batch."""
    with conn.begin():
        return _call(conn, fn, args)


def _run_in_savepoint(conn: Connection, work: Work, retryable: Callable[[BaseException], bool]):
    # Plain SQL savepoints: SQLAlchemy's nested transactions cost ~10x more per unit.
    _raw(conn, "SAVEPOINT chinwag_unit")
    try:
        work.value = _call(conn, work.fn, work.args)
        _raw(conn, "RELEASE SAVEPOINT chinwag_unit")
        work.ok = True
    except Exception as exc:  # the unit fails alone; its caller gets the exception
        _raw(conn, "ROLLBACK TO SAVEPOINT chinwag_unit")
        _raw(conn, "RELEASE SAVEPOINT chinwag_unit")
        work.ok, work.value = False, exc
        work.retry = retryable(exc)


def run_batch(
    conn: Connection,
    batch: Sequence[Work],
    retryable: Callable[[BaseException], bool] = lambda exc: False,
) -> None:
    """Run every unit of `batch` in one transaction, one SAVEPOINT each, and commit. A failure
    of the transaction itself (BEGIN, COMMIT, the connection) raises: then nothing of the batch
    was stored."""
    with conn.begin():
        for work in batch:
            _run_in_savepoint(conn, work, retryable)


def run_batch_optimistic(
    conn: Connection,
    batch: Sequence[Work],
    retryable: Callable[[BaseException], bool] = lambda exc: False,
) -> None:
    """run_batch without savepoints while nothing fails: on PostgreSQL a SAVEPOINT and its
    RELEASE cost a round trip each, on SQLite each SAVEPOINT makes FTS5 write its pending
    index terms out (a segment per message). The batch runs first without any. Only when one
    of its units fails is the transaction rolled back and the batch run again with a
    SAVEPOINT per unit, so that unit fails alone (units are plain functions of their
    arguments: running one twice is safe)."""
    transaction = conn.begin()
    try:
        for work in batch:
            work.value = _call(conn, work.fn, work.args)
    except Exception:
        transaction.rollback()
        run_batch(conn, batch, retryable)
        return
    except BaseException:
        transaction.rollback()  # the connection stays usable for the next batch
        raise
    transaction.commit()
    for work in batch:
        work.ok = True
