"""Engines and transactions. SQLite: WAL, busy_timeout, BEGIN IMMEDIATE for writes (writers queue
instead of failing mid-transaction); PostgreSQL: row locks taken by the services (SELECT ... FOR UPDATE,
UPDATE ... RETURNING on the feed counter)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

try:
    import fcntl
except ImportError:  # Windows: this process's writers still queue on the thread lock
    fcntl = None  # type: ignore[assignment]

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
MAX_GROUP = 64  # SQLite group commit: at most this many writers' transactions in one commit


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
            # SQLite's busy handler polls with sleeps: queue the writers on a lock instead, this
            # process's threads and the other processes on the same file (`serve --workers 2`, the CLI).
            self._write_lock: WriteLock | None = WriteLock(url)
            self._pending_lock = threading.Lock()
            self._pending: list[_Job[Any]] = []
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
        if self._write_lock is not None:
            self._write_lock.close()
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

        SQLite commits by groups: the writers that queued while one transaction ran are run by the
        next lock holder one after the other, each in its own savepoint, and committed together (one
        fsync for the group). Each returns only after that commit, so an acknowledgement is still on
        disk; a work that raises rolls back its savepoint alone, as its own transaction would.
        """
        if self._write_lock is None:
            return self._write_alone(work)
        job: _Job[T] = _Job(work)
        with self._pending_lock:
            self._pending.append(job)
        with self._write_lock:
            while not job.done:  # oldest first; a job queued behind a full group waits for the next
                with self._pending_lock:
                    group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
                try:
                    self._write_group(group)
                finally:
                    for other in group:  # interrupted (KeyboardInterrupt…): nobody waits for nothing
                        if not other.done:
                            other.error = other.error or RuntimeError("écriture interrompue")
                            other.done = True
        return job.outcome()

    def _write_alone(self, work: Callable[[Session], T]) -> T:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with Session(self.write_engine, expire_on_commit=False) as session:
                    result = work(session)
                    session.commit()
                    return result
            except DBAPIError as exc:
                if attempt == WRITE_ATTEMPTS or not _retryable(exc):
                    raise
                log.info("transaction retried after a concurrent write (%s)", type(exc.orig).__name__)
        raise AssertionError("unreachable")

    def _write_group(self, group: list[_Job[Any]]) -> None:
        """Under the write lock: the group in one transaction; on a database error (a failed commit,
        a full disk), each job again in its own transaction, so each gets its own outcome."""
        if len(group) > 1:
            try:
                with Session(self.write_engine, expire_on_commit=False) as session:
                    for job in group:
                        job.run_in_savepoint(session)
                    session.commit()
                for job in group:
                    job.done = True
                return
            except DBAPIError:
                log.warning("group commit failed: its %d writes run one by one", len(group), exc_info=True)
        for job in group:
            job.reset()
            try:
                job.result = self._write_alone(job.work)
            except BaseException as exc:
                job.error = exc
            job.done = True


_NOTHING: Any = object()


class _Job(Generic[T]):
    """One caller's work in a group commit, and what it came to."""

    def __init__(self, work: Callable[[Session], T]) -> None:
        self.work = work
        self.done = False
        self.result: T = _NOTHING
        self.error: BaseException | None = None

    def reset(self) -> None:
        self.result, self.error = _NOTHING, None

    def run_in_savepoint(self, session: Session) -> None:
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with session.begin_nested():
                    self.result = self.work(session)
                return
            except IntegrityError:
                if attempt == WRITE_ATTEMPTS:
                    raise
            except DBAPIError:
                raise  # the group's transaction may be unusable: everyone runs alone
            except Exception as exc:  # the work's own refusal (ApiProblem…): this savepoint only
                self.error = exc
                return

    def outcome(self) -> T:
        if self.error is not None:
            raise self.error
        return self.result


class WriteLock:
    """One SQLite writer at a time: a thread lock for this process, then an exclusive flock(2) on a
    file beside the database for the other processes. Both block without polling (the kernel wakes
    the next waiter at once, where busy_timeout sleeps up to 100 ms a try), and a killed process's
    flock goes with it."""

    def __init__(self, url: str) -> None:
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        name = make_url(url).database
        if fcntl is not None and name and name != ":memory:" and not name.startswith("file:"):
            self._fd = os.open(f"{name}-writelock", os.O_CREAT | os.O_RDWR, 0o600)

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
            except BaseException:
                self._thread_lock.release()
                raise

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


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
