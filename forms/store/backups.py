"""Automatic local backups of the data file, their rotation, restoring one, and salvage.

A backup is a consistent copy made with SQLite's online backup API (safe while the app writes),
written 0600 into DATA/backups/, checked with integrity_check, then renamed into place. They are
made at start when the newest is older than a day, before every schema upgrade, and before a
sync applies the Caf's edits; rotation keeps the newest of each of the last 7 days and of each of
the last 4 weeks. Restoring keeps the current file aside under a new name (never overwritten),
then lists what the backup lacks compared with what can still be read from the file set aside.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from forms.store.errors import StorageRefused, StoreError

BACKUP_DIR = "backups"
PREFIX = "bilan-clas-"
SUFFIX = ".sqlite3"
DAILY, WEEKLY = 7, 4
STALE_AFTER = dt.timedelta(days=1)
SYNC_BACKUP_EVERY = dt.timedelta(minutes=10)  # one backup per sync, not one per page of the feed
_STAMP = "%Y%m%d-%H%M%S-%f"


class BackupError(StoreError):
    """A backup or a restore that could not be done; str() is French."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made_at: dt.datetime
    reason: str
    questionnaires: int
    last_edit: dt.datetime | None
    healthy: bool

    def describe(self) -> str:
        when = f"{self.made_at.astimezone():%d/%m/%Y %H:%M}"
        edit = f", dernière modification le {self.last_edit.astimezone():%d/%m/%Y à %H:%M}" if self.last_edit else ""
        state = "" if self.healthy else " — ENDOMMAGÉE"
        n = self.questionnaires
        return f"{when} : {n} questionnaire{'s' if n > 1 else ''}{edit}{state}"


@dataclass(frozen=True)
class Salvaged:
    uuid: str
    title: str
    updated_at: str


def backup_dir(db_path: Path) -> Path:
    return db_path.parent / BACKUP_DIR


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _made_at(path: Path) -> dt.datetime | None:
    stem = path.name.removeprefix(PREFIX).removesuffix(SUFFIX)
    try:
        return dt.datetime.strptime("-".join(stem.split("-")[:3]), _STAMP).replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def _reason(path: Path) -> str:
    parts = path.name.removeprefix(PREFIX).removesuffix(SUFFIX).split("-")
    return "-".join(parts[3:]) or "manuelle"


def backup_files(db_path: Path) -> list[Path]:
    """The backups, newest first."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    found = [(made, p) for p in folder.glob(f"{PREFIX}*{SUFFIX}") if (made := _made_at(p)) is not None]
    return [p for _made, p in sorted(found, reverse=True)]


def _integrity(path: Path) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            connection.close()
    except sqlite3.Error:
        return False


def make_backup(db_path: Path, reason: str = "manuelle", now: dt.datetime | None = None) -> Path:
    """A checked copy of the data file in DATA/backups (0600); rotation afterwards."""
    moment = now or _now()
    folder = backup_dir(db_path)
    target = folder / f"{PREFIX}{moment.strftime(_STAMP)}-{reason}{SUFFIX}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".partielle-", suffix=SUFFIX, dir=folder)  # created 0600
        os.close(fd)
        try:
            source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                healthy = copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                copy.close()
                source.close()
            if not healthy:
                raise BackupError("La copie de sauvegarde n'a pas passé le contrôle d'intégrité : elle est écartée.")
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except sqlite3.Error as error:
        raise BackupError(f"Sauvegarde impossible ({error}) : les données n'ont pas été modifiées.") from None
    except OSError as error:
        raise BackupError(
            f"Sauvegarde impossible dans {folder} ({error.strerror}) : les données n'ont pas été modifiées."
        ) from None
    rotate(db_path, moment)
    return target


def rotate(db_path: Path, now: dt.datetime | None = None) -> list[Path]:
    """Keep the newest backup of each of the last 7 days and of each of the last 4 weeks; return those removed."""
    del now  # the buckets are the backups' own days and weeks
    keep: set[Path] = set()
    days: list[dt.date] = []
    weeks: list[tuple[int, int]] = []
    for path in backup_files(db_path):  # newest first: the first seen in a bucket is its newest
        made = _made_at(path)
        assert made is not None
        day, week = made.date(), made.isocalendar()[:2]
        if day not in days and len(days) < DAILY:
            days.append(day)
            keep.add(path)
        if week not in weeks and len(weeks) < WEEKLY:
            weeks.append(week)
            keep.add(path)
    removed = [p for p in backup_files(db_path) if p not in keep]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def newest_age(db_path: Path, now: dt.datetime | None = None) -> dt.timedelta | None:
    files = backup_files(db_path)
    made = _made_at(files[0]) if files else None
    return None if made is None else (now or _now()) - made


def backup_if_older_than(db_path: Path, age: dt.timedelta, reason: str) -> Path | None:
    """A backup unless one is younger than `age`; a failed automatic backup never blocks the work."""
    current = newest_age(db_path)
    if current is not None and dt.timedelta(0) <= current < age:
        return None
    try:
        return make_backup(db_path, reason)
    except (BackupError, StorageRefused):
        return None


def describe(path: Path) -> BackupInfo:
    made = _made_at(path) or dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    count, last = 0, None
    healthy = _integrity(path)
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            count, raw = connection.execute("SELECT count(*), max(updated_at) FROM questionnaire").fetchone()
            last = dt.datetime.fromisoformat(raw) if raw else None
        finally:
            connection.close()
    except (sqlite3.Error, ValueError):
        healthy = False
    return BackupInfo(path, made, _reason(path), int(count or 0), last, healthy)


def list_backups(db_path: Path) -> list[BackupInfo]:
    return [describe(p) for p in backup_files(db_path)]


def newest_healthy(db_path: Path) -> BackupInfo | None:
    return next((info for info in list_backups(db_path) if info.healthy), None)


# --- restore and salvage ---------------------------------------------------------------------


def restore(db_path: Path, backup: Path, now: dt.datetime | None = None) -> Path | None:
    """Put `backup` in place of the data file; the current file (if any) is kept aside: its new path.

    The data file must not be open (the app closes its store first)."""
    if not backup.is_file():
        raise BackupError(f"Sauvegarde introuvable : {backup}.")
    if not _integrity(backup):
        raise BackupError(f"La sauvegarde {backup.name} est endommagée : choisissez-en une autre.")
    moment = now or _now()
    aside = None
    try:
        if db_path.exists():
            aside = db_path.with_name(f"{db_path.stem}-avant-restauration-{moment.strftime(_STAMP)}{db_path.suffix}")
            n = 1
            while aside.exists():  # never overwrite a file kept aside
                aside = aside.with_name(f"{aside.stem}-{n}{aside.suffix}")
                n += 1
            os.replace(db_path, aside)
            for suffix in ("-wal", "-shm", "-journal"):
                companion = db_path.with_name(db_path.name + suffix)
                if companion.exists():
                    os.replace(companion, aside.with_name(aside.name + suffix))
        fd, temporary = tempfile.mkstemp(prefix=".restauration-", suffix=SUFFIX, dir=db_path.parent)
        os.close(fd)
        try:
            source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy)
            finally:
                copy.close()
                source.close()
            os.chmod(temporary, 0o600)
            os.replace(temporary, db_path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except (sqlite3.Error, OSError) as error:
        if aside is not None and not db_path.exists():
            os.replace(aside, db_path)  # put the current file back: nothing lost
        raise BackupError(f"Restauration impossible ({error}) : vos données n'ont pas été modifiées.") from None
    return aside


def salvage(path: Path) -> dict[str, Salvaged]:
    """The questionnaires that can still be read from a (maybe damaged) file, by uuid.

    Row by row in Python, skipping what fails, together with `sqlite3 .recover` when the
    command-line tool exists (it reads every page it can, even of a damaged table)."""
    found = _read_rows(path)
    if shutil.which("sqlite3"):
        for uuid, item in (_recover_with_cli(path) or {}).items():
            found.setdefault(uuid, item)
    return found


def _recover_with_cli(path: Path) -> dict[str, Salvaged] | None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "recovered.sqlite3"
        try:
            dump = subprocess.run(["sqlite3", str(path), ".recover"], capture_output=True, timeout=120, check=False)
            if not dump.stdout:  # it reports the pages it could not read, and still writes the rest
                return None
            loaded = subprocess.run(
                ["sqlite3", str(target)], input=dump.stdout, capture_output=True, timeout=120, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if loaded.returncode != 0 and not target.exists():
            return None
        return _read_rows(target)


def _read_rows(path: Path) -> dict[str, Salvaged]:
    found: dict[str, Salvaged] = {}
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error:
        return found
    query = "SELECT uuid, title, updated_at FROM questionnaire"
    try:
        try:
            for row in connection.execute(query):
                found[row[0]] = Salvaged(*row)
            return found
        except sqlite3.Error:
            pass  # a damaged page: probe row by row what is still reachable
        for rowid in range(1, 20_000):
            try:
                row = connection.execute(f"{query} WHERE rowid = ?", (rowid,)).fetchone()
            except sqlite3.Error:
                continue
            if row is not None:
                found[row[0]] = Salvaged(*row)
    except sqlite3.Error:
        pass
    finally:
        connection.close()
    return found


def lacking(salvaged: dict[str, Salvaged], restored: Path) -> list[str]:
    """French lines: what the restored file lacks compared with what was salvaged."""
    held = _read_rows(restored)
    lines = []
    for uuid, item in sorted(salvaged.items(), key=lambda pair: pair[1].title):
        mine = held.get(uuid)
        if mine is None:
            lines.append(f"« {item.title} » ({uuid}) : absent de la sauvegarde")
        elif item.updated_at > mine.updated_at:
            lines.append(f"« {item.title} » ({uuid}) : modifications postérieures à la sauvegarde")
    return lines
