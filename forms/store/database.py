"""Opening the SQLite file: owner-only permissions, WAL, full durability, immediate write locks.

Every write transaction starts with BEGIN IMMEDIATE so two writers (the app and a CLI, or the
sync worker) queue on the busy timeout instead of failing mid-transaction; readers never block.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection

BUSY_TIMEOUT_MS = 10_000
WRITE = {"sqlite_begin": "IMMEDIATE"}


def _create_private(path: Path) -> None:
    """Create the file readable and writable by its owner only; SQLite gives -wal and -shm the same mode."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see _on_begin)
    for pragma in (
        "journal_mode=WAL",
        "synchronous=FULL",  # an acknowledged edit survives power loss, not only a crash
        "foreign_keys=ON",
        f"busy_timeout={BUSY_TIMEOUT_MS}",
    ):
        dbapi_connection.execute(f"PRAGMA {pragma}")


def _on_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def open_engine(path: Path) -> Engine:
    _create_private(path)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def integrity_ok(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"
