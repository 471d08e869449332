"""The local file when the disk misbehaves (issue 10, item 11): corrupt or truncated pages, a
database from a newer version, a read-only data folder, a full disk during a save.

Each is one French line from the CLI (exit 3) or a StoreError the app shows, and nothing is
written: the file's bytes stay the same, a failed save leaves the answers as they were, and the
save succeeds once space is freed. Negative controls remove the safety net and see it fail.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from desktop.cli import main
from forms.registry import FormRegistry
from forms.store import DB_FILE_NAME, Store, StoreError, database
from forms.store.errors import DamagedDatabase, DiskFull, ReadOnlyData
from forms.store.migrations import LATEST
from tests.support.tight_disk import TightDisk

FORM = "clas-essai"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def filled_store(data_dir: Path, registry: FormRegistry, count: int = 30) -> list[str]:
    store = Store.open(data_dir, registry)
    uuids = []
    for n in range(count):
        info = store.create(form_id=FORM, title=f"Action n°{n}", answers={"q_long_text": "Bilan " * 200})
        uuids.append(info.uuid)
    store.close()
    return uuids


def one_line(capsys: pytest.CaptureFixture[str], *fragments: str) -> str:
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def corrupt_pages(path: Path) -> None:
    """Garbage over a few pages in the middle: the header stays fine, the b-trees do not."""
    with path.open("r+b") as f:
        size = f.seek(0, 2)
        page = 4096
        for offset in range(page * 2, min(size, page * 6), page):
            f.seek(offset + 8)
            f.write(b"\xa5" * 600)


def truncate(path: Path) -> None:
    with path.open("r+b") as f:
        f.truncate(f.seek(0, 2) // 2 + 100)


DAMAGE = {"corrupt pages": corrupt_pages, "truncated": truncate}


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_file_is_refused_and_never_written(
    data_dir: Path, registry: FormRegistry, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    filled_store(data_dir, registry)
    path = data_dir / DB_FILE_NAME
    DAMAGE[how](path)
    before = digest(path)
    for command in (["list"], ["new", "--form", FORM, "--title", "Nouvelle"]):
        assert main(command) == 3
        one_line(capsys, "endommagé", "rien n'y a été écrit", "Restaurer une sauvegarde")
    assert digest(path) == before
    with pytest.raises(DamagedDatabase):
        Store.open(data_dir, registry)
    assert digest(path) == before


def test_a_file_that_is_not_a_database(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / DB_FILE_NAME).write_bytes(b"Ceci n'est pas une base SQLite." * 200)
    assert main(["list"]) == 3
    one_line(capsys, "endommagé")


def test_negative_control_without_the_check_a_damaged_file_is_written(
    data_dir: Path, registry: FormRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With inspect_file bypassed, the damaged file is opened for writing and changes."""
    filled_store(data_dir, registry)
    path = data_dir / DB_FILE_NAME
    corrupt_pages(path)
    before = digest(path)
    monkeypatch.setattr("forms.store.store.inspect_file", lambda _path: 0)
    try:
        store = Store.open(data_dir, registry)
        store.set_setting("x", "y")
        store.close()
    except StoreError:
        pass
    assert digest(path) != before or (data_dir / f"{DB_FILE_NAME}-wal").stat().st_size > 0


def test_a_newer_database_is_refused_untouched(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir.mkdir(parents=True)
    path = data_dir / DB_FILE_NAME
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE future (x)")
    connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    connection.commit()
    connection.close()
    before = digest(path)
    assert main(["list"]) == 3
    one_line(capsys, "version plus récente de Bilan Clas")
    assert digest(path) == before  # not even switched to WAL (bytes 18-19 of the header)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    connection.close()


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[TightDisk]:
    tight = TightDisk(tmp_path / "disque")
    yield tight
    tight.close()


def test_a_read_only_data_folder(
    disk: TightDisk, registry: FormRegistry, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = disk.root / "data"
    filled_store(data_dir, registry, 3)
    before = digest(data_dir / DB_FILE_NAME)
    disk.read_only()
    monkeypatch.setenv("BILAN_CLAS_HOME", str(data_dir))
    assert main(["new", "--form", FORM, "--title", "Nouvelle"]) == 3
    one_line(capsys, "n'est pas accessible en écriture", "rien n'a été enregistré")
    assert digest(data_dir / DB_FILE_NAME) == before
    with pytest.raises(ReadOnlyData):
        Store.open(disk.root / "autre", registry)  # a new data folder cannot be created there either


def test_disk_full_during_a_save(disk: TightDisk, registry: FormRegistry) -> None:
    data_dir = disk.root / "data"
    (qid, *_others) = filled_store(data_dir, registry, 3)
    store = Store.open(data_dir, registry)
    try:
        before = store.answers(qid)
        disk.fill(store)
        with pytest.raises(DiskFull) as raised:
            store.set_answer(qid, "q_long_text", "Un très long bilan. " * 1400)
        assert "est plein" in str(raised.value), disk.how
        assert store.answers(qid) == before  # no partial state
        disk.free(store)
        store.set_answer(qid, "q_long_text", "Un très long bilan. " * 1400)
        assert store.answers(qid)["q_long_text"].startswith("Un très long bilan.")
        assert store.integrity_ok()
    finally:
        store.close()


def test_negative_control_without_the_error_hook_a_full_disk_is_a_raw_error(
    disk: TightDisk, registry: FormRegistry, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = disk.root / "data"
    (qid,) = filled_store(data_dir, registry, 1)
    monkeypatch.setattr(database, "refusal_for", lambda _path, _error: None)
    store = Store.open(data_dir, registry)
    try:
        disk.fill(store)
        with pytest.raises(OperationalError):
            store.set_answer(qid, "q_long_text", "Un très long bilan. " * 1400)
    finally:
        disk.free(store)
        store.close()
