"""Automatic local backups, their rotation, `bilan-clas backup` / `restore`, and recovery from a
damaged file (issue 10, items 13–14), on real SQLite files."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop.cli import main
from forms.registry import FormRegistry
from forms.store import DB_FILE_NAME, Store, backups
from forms.store.backups import BackupError
from forms.store.migrations import STEPS
from tests.forms.test_storage_faults import corrupt_pages, filled_store

FORM = "clas-essai"


def corrupt_tail(path: Path, pages: int = 3) -> None:
    """Garbage over the last pages (answers): the questionnaire table stays readable, the file fails its check."""
    with path.open("r+b") as f:
        size = f.seek(0, 2)
        for offset in range(size - pages * 4096, size, 4096):
            f.seek(offset + 8)
            f.write(b"\xa5" * 600)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_command_makes_a_private_checked_copy(
    data_dir: Path, registry: FormRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    filled_store(data_dir, registry, 4)
    capsys.readouterr()
    assert main(["backup"]) == 0
    made = Path(capsys.readouterr().out.strip())
    assert made.parent == data_dir / "backups"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    connection = sqlite3.connect(made)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert connection.execute("SELECT count(*) FROM questionnaire").fetchone()[0] == 4
    connection.close()
    assert main(["backup", "--list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(b["path"], b["questionnaires"], b["healthy"]) for b in listed][0] == (str(made), 4, True)


def test_rotation_keeps_seven_daily_and_four_weekly(data_dir: Path, registry: FormRegistry) -> None:
    filled_store(data_dir, registry, 1)
    db = data_dir / DB_FILE_NAME
    start = dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC)
    for day in range(60):
        for hour in (0, 5):  # two a day: only the newest of each day may stay
            backups.make_backup(db, "test", now=start + dt.timedelta(days=day, hours=hour))
    kept = [backups._made_at(p) for p in backups.backup_files(db)]
    assert kept[0] == start + dt.timedelta(days=59, hours=5)
    days = {m.date() for m in kept if m is not None}
    assert len(kept) == len(days) <= 7 + 4
    assert len(kept) >= 7 + 3  # the 7 last days, and older weeks (one of the 4 weeks overlaps the days)
    recent = sorted(days)[-7:]
    assert recent == [(start + dt.timedelta(days=d)).date() for d in range(53, 60)]


def test_a_backup_at_start_when_the_last_is_a_day_old(data_dir: Path, registry: FormRegistry) -> None:
    filled_store(data_dir, registry, 2)  # first open: a fresh file, nothing to back up
    db = data_dir / DB_FILE_NAME
    assert backups.backup_files(db) == []
    Store.open(data_dir, registry).close()
    assert len(backups.backup_files(db)) == 1
    Store.open(data_dir, registry).close()
    assert len(backups.backup_files(db)) == 1  # younger than a day: none more
    old = backups.backup_files(db)[0]
    old.rename(old.with_name(f"bilan-clas-20200101-000000-000000-quotidienne{backups.SUFFIX}"))
    Store.open(data_dir, registry).close()
    assert len(backups.backup_files(db)) == 2


def test_a_backup_before_a_schema_upgrade(data_dir: Path, registry: FormRegistry) -> None:
    data_dir.mkdir(parents=True)
    db = data_dir / DB_FILE_NAME
    connection = sqlite3.connect(db)
    connection.executescript(STEPS[0] + "; PRAGMA user_version = 1;")
    connection.close()
    Store(db, registry).close()
    (made,) = backups.backup_files(db)
    assert made.name.endswith(f"-avant-migration{backups.SUFFIX}")
    connection = sqlite3.connect(made)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == 1  # the file as it was before
    connection.close()


def test_corruption_then_restore_lists_what_the_backup_lacks(
    data_dir: Path, registry: FormRegistry, capsys: pytest.CaptureFixture[str]
) -> None:
    kept = filled_store(data_dir, registry, 20)
    db = data_dir / DB_FILE_NAME
    backup = backups.make_backup(db)
    store = Store.open(data_dir, registry)
    later = store.create(form_id=FORM, title="Créé après la sauvegarde").uuid
    store.set_answer(kept[0], "q_text", "modifié après")
    store.close()
    corrupt_tail(db)
    damaged_digest = digest(db)
    assert main(["list"]) == 3
    assert "endommagé" in capsys.readouterr().err

    assert main(["restore", str(backup)]) == 0
    out = capsys.readouterr().out
    assert "Les données remplacées sont gardées de côté" in out
    (aside,) = data_dir.glob("bilan-clas-avant-restauration-*.sqlite3")
    assert digest(aside) == damaged_digest  # the damaged file is kept as it was
    assert f"« Créé après la sauvegarde » ({later}) : absent de la sauvegarde" in out
    assert f"({kept[0]}) : modifications postérieures à la sauvegarde" in out
    assert main(["list", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 20


def test_restore_never_overwrites_a_file_kept_aside(data_dir: Path, registry: FormRegistry) -> None:
    filled_store(data_dir, registry, 1)
    db = data_dir / DB_FILE_NAME
    backup = backups.make_backup(db)
    moment = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    first = backups.restore(db, backup, now=moment)
    second = backups.restore(db, backup, now=moment)
    assert first is not None
    assert second is not None
    assert first != second
    assert first.exists()
    assert second.exists()


def test_a_damaged_backup_is_refused_and_the_data_untouched(data_dir: Path, registry: FormRegistry) -> None:
    filled_store(data_dir, registry, 20)
    db = data_dir / DB_FILE_NAME
    backup = backups.make_backup(db)
    corrupt_pages(backup)
    before = digest(db)
    with pytest.raises(BackupError, match="endommagée"):
        backups.restore(db, backup)
    assert digest(db) == before
    assert not list(data_dir.glob("*avant-restauration*"))
    assert backups.newest_healthy(db) is None


def test_salvage_without_the_sqlite3_tool(
    data_dir: Path, registry: FormRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python fallback reads what rows it can from a damaged file."""
    uuids = filled_store(data_dir, registry, 20)
    db = data_dir / DB_FILE_NAME
    corrupt_tail(db)
    monkeypatch.setattr(backups.shutil, "which", lambda _name: None)
    found = backups.salvage(db)
    assert set(found) == set(uuids)  # the questionnaire table is intact: every one is read
    assert set(backups._recover_with_cli(db) or {}) <= set(uuids)  # the tool, when it works, invents nothing
