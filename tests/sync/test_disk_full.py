"""The pull's local side when the disk is full, and the backup made before the Caf's edits apply
(issue 10, items 11, 13 and the disk-full fault test).

A page of the feed and its cursor commit in one transaction: on a full disk (a real small tmpfs
as root, SQLite's max_page_count otherwise) the page is refused with a French DiskFull, the
cursor, answers and history stay as they were, and the same page applies once space is freed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from forms.registry import FormRegistry
from forms.store import Store, backups, database
from forms.store.errors import DiskFull
from forms.store.remote import Remote
from tests.support.tight_disk import TightDisk
from tests.sync.support import dump
from tests.sync.test_conflicts import CAF_PLACE, caf_version, returned_for_correction


@pytest.fixture
def tight_store(tmp_path: Path, registry: FormRegistry) -> Iterator[tuple[TightDisk, Store]]:
    disk = TightDisk(tmp_path / "disque")
    store = Store.open(disk.root / "data", registry)
    yield disk, store
    store.close()
    disk.close()


def test_a_backup_is_made_before_the_cafs_edits_apply(store: Store) -> None:
    qid, v1 = returned_for_correction(store)
    before = store.answers(qid)
    assert backups.backup_files(store.path) == []
    Remote(store).apply([caf_version(qid, v1, {**before, "lieu_action": CAF_PLACE})], "c2")
    (made,) = backups.backup_files(store.path)
    assert made.name.endswith(f"-avant-synchro{backups.SUFFIX}")
    copy = Store(made, store.registry)
    try:
        assert copy.answers(qid) == before  # the file as it was before the Caf's edit
    finally:
        copy.close()
    assert store.answers(qid)["lieu_action"] == CAF_PLACE


def test_disk_full_during_a_pull_applies_nothing_then_succeeds(tight_store: tuple[TightDisk, Store]) -> None:
    disk, store = tight_store
    qid, v1 = returned_for_correction(store)
    big = "Lieu corrigé par la Caf. " * 1000
    page = [caf_version(qid, v1, {**store.answers(qid), "lieu_action": CAF_PLACE, "bilan_qualitatif": big})]
    before = dump(store)
    disk.fill(store)
    with pytest.raises(DiskFull) as raised:
        Remote(store).apply(page, "c2")
    assert "est plein" in str(raised.value), disk.how
    assert dump(store) == before  # no partial state: neither the version, the answers nor the cursor
    assert Remote(store).cursor() == "c1"
    disk.free(store)
    Remote(store).apply(page, "c2")
    assert Remote(store).cursor() == "c2"
    assert store.answers(qid)["lieu_action"] == CAF_PLACE
    assert store.integrity_ok()


def test_negative_control_without_the_error_hook_the_pull_fails_raw(
    tight_store: tuple[TightDisk, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    disk, store = tight_store
    qid, v1 = returned_for_correction(store)
    big = "Lieu corrigé par la Caf. " * 1000
    page = [caf_version(qid, v1, {**store.answers(qid), "bilan_qualitatif": big})]
    monkeypatch.setattr(database, "refusal_for", lambda _path, _error: None)
    disk.fill(store)
    try:
        with pytest.raises(OperationalError):
            Remote(store).apply(page, "c2")
    finally:
        disk.free(store)
