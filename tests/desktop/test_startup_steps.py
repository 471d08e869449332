"""Start-up in steps (desktop/loading.py): the list's rows appear from the summaries before the store is
open, the store and the services follow, and a bilan chosen meanwhile opens once they are there."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.loading import quick_rows
from desktop.main_window import MainWindow
from forms.store import Store
from forms.store.summary import summaries
from tests.conftest import OFFICIAL_FORM
from tests.desktop.conftest import show
from tests.forms.sample_answers import complete_answers


def _listed_store(store: Store, count: int) -> list[str]:
    uuids = [
        store.create(form_id=OFFICIAL_FORM, title=f"Action n°{n} — « Élan »", answers=complete_answers()).uuid
        for n in range(count)
    ]
    summaries(store)  # every summary there, as after any earlier list
    return uuids


def test_rows_come_from_the_summaries_alone(store: Store, data_dir: Path) -> None:
    uuids = _listed_store(store, 3)
    rows = quick_rows(data_dir)
    assert rows is not None
    assert {r.uuid for r in rows} == set(uuids)
    assert all(r.pages_complete == r.pages_total > 0 for r in rows)
    assert all(r.window == "" for r in rows)  # the campaigns' windows come with the store


def test_no_quick_rows_while_a_summary_is_missing(store: Store, data_dir: Path) -> None:
    """Negative control: a summary to rebuild means the store's own path (it rebuilds it)."""
    _listed_store(store, 2)
    store.create(form_id=OFFICIAL_FORM, title="Sans résumé")
    assert quick_rows(data_dir) is None


def test_the_list_shows_before_the_store_then_everything_follows(store: Store, data_dir: Path, qtbot: QtBot) -> None:
    uuids = _listed_store(store, 3)
    window = MainWindow(data_dir)
    first_rows: list[bool] = []  # whether the store was open when the list first had rows
    window.home.model.modelReset.connect(
        lambda: first_rows.append(window.session is not None) if window.home.model.rowCount() else None
    )
    show(qtbot, window, resize=False)
    qtbot.waitUntil(lambda: len(window.home.rows) == 3)
    assert first_rows[0] is False  # the rows came before the store
    assert window.home.tree.isVisible()
    assert window.home.model.rowCount() == 1  # one campaign, its three bilans under it
    window.open_questionnaire(uuids[1])  # chosen while the store may still be loading
    qtbot.waitUntil(lambda: window.sync is not None, timeout=20_000)
    assert window.session is not None
    qtbot.waitUntil(lambda: window.questionnaire_view is not None)
    assert window.questionnaire_view is not None
    assert window.questionnaire_view.uuid == uuids[1]
    assert "sqlalchemy" in sys.modules
    assert window.home.rows[uuids[0]].window  # read again with the store: the campaign's window is there
    QApplication.processEvents()
