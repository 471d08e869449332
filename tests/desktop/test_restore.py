"""*Fichier › Restaurer une sauvegarde…* and a damaged data file at start (issue 10, items 13–14)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.backup_dialogs import RestoreDialog
from desktop.main_window import MainWindow
from forms.registry import FormRegistry
from forms.store import DB_FILE_NAME, Store, backups
from tests.desktop.conftest import show
from tests.desktop.driver import Modals, button_named
from tests.forms.test_backups import corrupt_tail
from tests.forms.test_storage_faults import filled_store


def restore_newest(modals: Modals, seen: dict[str, Any]) -> None:
    def choose(dialog: RestoreDialog) -> None:
        seen["rows"] = [dialog.list.item(n).text() for n in range(dialog.list.count())]
        seen["current"] = dialog.list.currentRow()
        seen["title"] = dialog.windowTitle()
        button_named(dialog, "Restaurer").click()

    def told(box: QMessageBox) -> None:
        seen["told"] = box.text()
        seen["detail"] = box.detailedText()
        box.accept()

    modals.when_shown(RestoreDialog, choose)
    modals.when_shown(QMessageBox, told)


def test_a_damaged_file_at_start_offers_the_newest_healthy_backup(
    qtbot: QtBot, essai_in_data_dir: Path, registry: FormRegistry, modals: Modals
) -> None:
    data_dir = essai_in_data_dir
    filled_store(data_dir, registry, 20)
    db = data_dir / DB_FILE_NAME
    backups.make_backup(db)
    store = Store.open(data_dir, registry)
    store.create(form_id="clas-essai", title="Saisi après la sauvegarde")
    store.close()
    corrupt_tail(db)
    seen: dict[str, Any] = {}
    restore_newest(modals, seen)

    window = MainWindow(data_dir)
    show(qtbot, window, resize=False)
    qtbot.waitUntil(lambda: window.sync is not None, timeout=10_000)
    modals.check()
    assert seen["title"] == "Données endommagées"
    assert seen["current"] == 0
    assert "20 questionnaires" in seen["rows"][0]
    assert "est restaurée" in seen["told"]
    assert "« Saisi après la sauvegarde »" in seen["detail"]
    assert "absent de la sauvegarde" in seen["detail"]
    assert len(window.home.rows) == 20
    assert list(data_dir.glob("bilan-clas-avant-restauration-*.sqlite3"))


def test_restore_from_the_file_menu(
    essai_in_data_dir: Path, store: Store, open_window: Callable[[], MainWindow], modals: Modals
) -> None:
    kept = store.create(form_id="clas-essai", title="Dans la sauvegarde").uuid
    backups.make_backup(store.path)
    store.create(form_id="clas-essai", title="Après la sauvegarde")
    window = open_window()
    assert len(window.home.rows) == 2
    seen: dict[str, Any] = {}
    restore_newest(modals, seen)
    window.restore_action.trigger()
    modals.check()
    assert list(window.home.rows) == [kept]
    assert "« Après la sauvegarde »" in seen["detail"]
    assert window.sync is not None
    assert window.session is not None
    assert window.sync.store is window.session.store
