"""Engines and transactions. SQLite: WAL, busy_timeout, BEGIN IMMEDIATE for writes (writers queue
instead of failing mid-transaction); PostgreSQL: row locks taken by the services (SELECT ... FOR UPDATE,
UPDATE ... RETURNING on the feed counter)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session

from sync.server.models import ServerModel

T = TypeVar("T")
log = logging.getLogger(__name__)

# PostgreSQL serialization failure and deadlock: the transaction can simply run again.
_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
WRITE_ATTEMPTS = 4


def _sqlite_engine(url: str, begin: str, pool_size: int, max_overflow: int) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=pool_size,
        max_overflow=max_overflow,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to us: pysqlite's implicit BEGIN is DEFERRED and comes too late.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a 201 promises the version is on disk
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)

    return engine


class Database:
    def __init__(self, url: str, *, pool_size: int = 20, max_overflow: int = 30) -> None:
        self.url = url
        self.is_sqlite = make_url(url).get_backend_name() == "sqlite"
        if self.is_sqlite:
            _private_sqlite_file(url)
            # Writers take the database lock at BEGIN, so they wait (busy_timeout) rather than fail at
            # their first write; readers use plain BEGIN and see a WAL snapshot without blocking anyone.
            self.write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE", pool_size, max_overflow)
            self.read_engine = _sqlite_engine(url, "BEGIN", pool_size, max_overflow)
            # SQLite's busy handler polls with sleeps: queue this process's writers on a lock instead
            # (first come, first served); other processes (the CLI) still meet busy_timeout.
            self._write_lock: threading.Lock | None = threading.Lock()
        else:
            self.write_engine = create_engine(url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True)
            self.read_engine = self.write_engine
            self._write_lock = None

    def create_schema(self) -> None:
        """A new database gets the schema; an existing one must be at the head revision (SchemaOutdated)."""
        from sync.server.schema import ensure_current

        ensure_current(self.write_engine)

    def dispose(self) -> None:
        self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            self.read_engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with Session(self.read_engine, expire_on_commit=False) as session:
            yield session

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one write transaction and commit; run it again after a lost race.

        A lost race is a unique violation (two first deliveries of one questionnaire or one version
        id at once) or a PostgreSQL deadlock: the next run sees the winner's row and answers from it.
        Exceptions raised by `work` roll everything back.
        """
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self._write_lock or nullcontext(), Session(self.write_engine, expire_on_commit=False) as session:
                    result = work(session)
                    session.commit()
                    return result
            except DBAPIError as exc:
                if attempt == WRITE_ATTEMPTS or not _retryable(exc):
                    raise
                log.info("transaction retried after a concurrent write (%s)", type(exc.orig).__name__)
        raise AssertionError("unreachable")


def _private_sqlite_file(url: str) -> None:
    """The database holds password hashes and every association's answers: owner-only (0600). SQLite
    gives its -wal and -shm files the main file's mode, so creating that one 0600 covers all three."""
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    path = Path(name)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    for found in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if found.exists() and found.stat().st_mode & 0o077:
            found.chmod(0o600)


def table(model: type[ServerModel]) -> Table:
    """The Core table of a model, for statements on the hot path (no ORM bookkeeping)."""
    found: Table = model.__table__  # type: ignore[attr-defined]
    return found


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES
