"""From the list to « Transmettre » with the keyboard alone (issue 15 item 9): no click, no call into the
widgets, only key presses where the focus is, as a blind volunteer or one without a mouse works."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from forms.lifecycle import Status
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import Modals
from tests.forms.sample_answers import complete_answers


def key(qtbot: QtBot, name: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    widget = QApplication.focusWidget()
    assert widget is not None, "the keyboard focus is somewhere"
    QTest.keyClick(widget, name, modifier)


def test_from_the_list_to_transmettre_with_the_keyboard_alone(
    store: Store, open_window: Callable[[], MainWindow], qtbot: QtBot, modals: Modals
) -> None:
    info = store.create(form_id=OFFICIAL_FORM, title="Au clavier", answers=complete_answers())
    window = open_window()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.home.tree)  # the list has the focus at start
    key(qtbot, Qt.Key.Key_Down)  # the campaign's first bilan
    key(qtbot, Qt.Key.Key_Return)  # opens it
    qtbot.waitUntil(lambda: window.questionnaire_view is not None)
    view = window.questionnaire_view
    assert view is not None
    assert view.uuid == info.uuid
    pages = view.form.navigator.count()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    for _ in range(pages):
        key(qtbot, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)  # page after page
    assert view.form.navigator.currentRow() == pages - 1

    def confirm_with_enter(box: QMessageBox) -> None:
        box.activateWindow()  # what the window manager does for a new dialog (offscreen has none)
        qtbot.waitUntil(box.isActiveWindow)
        focused = QApplication.focusWidget()
        assert focused is not None
        assert focused.window() is box
        QTest.keyClick(focused, Qt.Key.Key_Return)  # Entrée: the default button, « Transmettre »

    modals.when_shown(QMessageBox, confirm_with_enter)
    with qtbot.waitSignal(view.status_changed, timeout=10_000):  # a mnemonic clicks on the next turns
        key(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # « &Transmettre à la Caf… »
    modals.check()
    assert store.get(info.uuid).status == Status.A_ENVOYER
