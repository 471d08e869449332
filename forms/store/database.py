"""Opening the SQLite file: owner-only permissions, WAL, full durability, immediate write locks.

Every write transaction starts with BEGIN IMMEDIATE so two writers (the app and a CLI, or the
sync worker) queue on the busy timeout instead of failing mid-transaction; readers never block.
Before anything touches an existing file, `inspect_file` reads its schema version and checks it
(quick_check, or integrity_check when a crash left a journal behind) without changing a byte; a
damaged file is refused. Disk full, read-only folder, corruption met later: a StorageRefused
with a French message, raised from SQLAlchemy's error hook so that every call site gets it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, ExceptionContext

from forms.store.errors import DamagedDatabase, DiskFull, ReadOnlyData, StorageRefused

BUSY_TIMEOUT_MS = 10_000
WRITE = {"sqlite_begin": "IMMEDIATE"}
# Primary SQLite result codes (extended codes carry them in their low byte).
SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = (
    3, 8, 10, 11, 13, 14, 26,
)  # fmt: skip


def _create_private(path: Path) -> None:
    """Create the file readable and writable by its owner only; SQLite gives -wal and -shm the same mode."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except PermissionError:
        raise read_only(path) from None
    except OSError as error:
        raise refusal_for_os_error(path, error) from None


def read_only(path: Path) -> ReadOnlyData:
    return ReadOnlyData(
        f"Le dossier des données {path.parent} n'est pas accessible en écriture : rien n'a été enregistré. "
        "Vérifiez ses droits, ou choisissez un autre dossier (--data-dir)."
    )


def disk_full(path: Path) -> DiskFull:
    return DiskFull(
        f"Le disque qui contient {path.parent} est plein : la modification n'a pas été enregistrée "
        "(rien n'a été écrit). Libérez de la place, puis recommencez."
    )


def damaged(path: Path, detail: str) -> DamagedDatabase:
    detail = " ".join(detail.replace("*** in database main ***", "").split())[:160]  # one line
    return DamagedDatabase(
        f"Le fichier de données {path} est endommagé ({detail}) : rien n'y a été écrit. Restaurez une "
        f"sauvegarde : Fichier › Restaurer une sauvegarde…, ou bilan-clas restore FICHIER (sauvegardes dans "
        f"{path.parent / 'backups'})."
    )


def refusal_for_os_error(path: Path, error: OSError) -> StorageRefused:
    import errno

    if error.errno == errno.ENOSPC:
        return disk_full(path)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return read_only(path)
    return StorageRefused(f"Accès impossible au fichier de données {path} ({error.strerror}) : rien n'a été écrit.")


def refusal_for(path: Path, error: sqlite3.Error) -> StorageRefused | None:
    """The French refusal for an SQLite failure of the disk or the file; None for our own mistakes."""
    code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
    if code == SQLITE_FULL:
        return disk_full(path)
    if code in (SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN):
        return read_only(path)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return damaged(path, str(error))
    if code == SQLITE_IOERR:
        return StorageRefused(
            f"Erreur de lecture ou d'écriture sur le disque ({error}) : rien n'a été enregistré. "
            "Vérifiez le disque ou la clé USB qui contient les données, puis recommencez."
        )
    return None


def inspect_file(path: Path) -> int:
    """The schema version of an existing file, checked; DamagedDatabase when it is not healthy.

    A plain connection with no pragma: nothing is written (no switch to WAL), so a file we end
    up refusing — too new, damaged — stays exactly as it was."""
    crashed = any(_size(path.with_name(path.name + suffix)) > 0 for suffix in ("-wal", "-journal"))
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as error:
        raise refusal_for(path, error) or damaged(path, str(error)) from None
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        check = "integrity_check" if crashed else "quick_check"
        rows = [row[0] for row in connection.execute(f"PRAGMA {check}(5)")]
    except sqlite3.Error as error:
        refusal = refusal_for(path, error)
        if isinstance(refusal, ReadOnlyData) and crashed:
            return -1  # a read-only look cannot replay the journal a crash left: the writing open does
        raise refusal or damaged(path, str(error)) from None
    finally:
        connection.close()
    if rows != ["ok"]:
        raise damaged(path, f"contrôle d'intégrité en échec : {rows[-1]}")
    return version


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


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

    def on_error(context: ExceptionContext) -> None:
        original = context.original_exception
        if isinstance(original, sqlite3.Error):
            refusal = refusal_for(path, original)
            if refusal is not None:
                raise refusal from original  # after SQLAlchemy's cleanup: the transaction is rolled back

    event.listen(engine, "handle_error", on_error)
    return engine


def integrity_ok(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA quick_check").scalar() == "ok"


def full_check_ok(engine: Engine) -> bool:
    with engine.connect() as connection:
        return connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
