"""The list of bilans at size: search, filter by status, sort, and what a screen reader is told."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.main_window import MainWindow
from forms.lifecycle import Status
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import type_into
from tests.desktop.storesetup import set_status
from tests.desktop.test_home import rows
from tests.forms.sample_answers import complete_answers


def next_focusable(widget: QWidget) -> QWidget:
    """The next widget Tab reaches: the focus chain without the widgets that take no focus."""
    following = widget.nextInFocusChain()
    while following.focusPolicy() == Qt.FocusPolicy.NoFocus or not following.isEnabled():
        following = following.nextInFocusChain()
    return following


def fill(store: Store) -> None:
    store.create(form_id=OFFICIAL_FORM, title="Coup de pouce lecture")
    done = store.create(form_id=OFFICIAL_FORM, title="Accompagnement des collégiens", answers=complete_answers())
    set_status(store, done.uuid, Status.TRANSMIS)
    store.create(form_id=OFFICIAL_FORM, title="Atelier « écriture » du mercredi")


def test_search_finds_titles_whatever_the_case_and_says_when_nothing_matches(
    store: Store, open_window: Callable[[], MainWindow]
) -> None:
    fill(store)
    home = open_window().home
    type_into(home.search_edit, "ÉCRITURE")
    assert [title for title, _ in rows(home)] == ["Atelier « écriture » du mercredi"]
    home.search_edit.clear()
    type_into(home.search_edit, "piscine")
    assert rows(home) == []
    assert home.no_match_label.isVisible()
    assert not home.tree.isVisible()
    assert not home.open_button.isEnabled()
    home.search_edit.clear()
    assert len(rows(home)) == 3
    assert home.tree.isVisible()


def test_filter_by_status_and_sort(store: Store, open_window: Callable[[], MainWindow]) -> None:
    fill(store)
    home = open_window().home
    home.status_filter.setCurrentIndex(home.status_filter.findText(Status.TRANSMIS.label))
    assert rows(home) == [("Accompagnement des collégiens", Status.TRANSMIS.label)]
    home.status_filter.setCurrentIndex(0)
    home.sort_box.setCurrentIndex(1)  # by name
    assert [title for title, _ in rows(home)] == [
        "Accompagnement des collégiens",
        "Atelier « écriture » du mercredi",
        "Coup de pouce lecture",
    ]
    home.sort_box.setCurrentIndex(0)  # back to the most recently edited first
    assert [title for title, _ in rows(home)][0] == "Atelier « écriture » du mercredi"


def test_the_list_tells_a_screen_reader_each_cell_and_keeps_the_tab_order(
    store: Store, open_window: Callable[[], MainWindow]
) -> None:
    fill(store)
    home = open_window().home
    model = home.tree.model()
    first = model.index(0, 0, model.index(0, 0))
    assert first.siblingAtColumn(2).data(Qt.ItemDataRole.AccessibleTextRole).startswith("Progression : ")
    assert first.siblingAtColumn(1).data(Qt.ItemDataRole.AccessibleTextRole).startswith("Statut : ")
    for widget in (home.search_edit, home.status_filter, home.sort_box, home.tree):
        assert widget.accessibleName()
    # Search, then filter, then sort, then the list itself (set explicitly in HomeView).
    assert next_focusable(home.search_edit) is home.status_filter
    assert next_focusable(home.status_filter) is home.sort_box
    assert next_focusable(home.sort_box) is home.tree
