"""The whole journey of a volunteer on the official questionnaire: create an action, fill it over two
sittings (the app closed in between), see which pages are incomplete, transmit it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.dialogs import NewActionDialog
from desktop.main_window import MainWindow
from forms.lifecycle import Status
from forms.store import Store
from tests.desktop.driver import Modals, answer_all, button_named, click, type_into
from tests.desktop.test_home import rows
from tests.forms.sample_answers import complete_answers

TITLE = "Clas des Hauts — école Jean-Moulin"


def page_states(window: MainWindow) -> list[str]:
    assert window.questionnaire_view is not None
    navigator = window.questionnaire_view.form.navigator
    return [navigator.item(r).data(Qt.ItemDataRole.UserRole) for r in range(navigator.count())]


def test_create_fill_in_two_sittings_and_transmit(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals, qtbot: QtBot
) -> None:
    answers = complete_answers()
    window = open_window()

    def name_the_action(dialog: NewActionDialog) -> None:
        type_into(dialog.title_edit, TITLE)
        button_named(dialog, "Créer").click()

    modals.when_shown(NewActionDialog, name_the_action)
    click(window.home.new_button)
    modals.check()
    view = window.questionnaire_view
    assert view is not None
    definition = view.binding.definition
    first_sitting = [q.id for p in definition.pages[:4] for q in p.questions if q.id in answers]
    answer_all(view.form, {k: answers[k] for k in first_sitting})
    assert view.form.current_page_id() == definition.pages[3].id
    # + the auto-diagnostic page (issue 11): nothing required there, so nothing missing
    assert page_states(window) == ["complete"] * 4 + ["not_started"] * 5 + ["complete"]
    assert window.close()

    window = open_window()  # the next evening
    view = window.questionnaire_view
    assert view is not None
    assert view.title_label.text() == TITLE
    assert view.form.current_page_id() == definition.pages[3].id
    assert page_states(window) == ["complete"] * 4 + ["not_started"] * 5 + ["complete"]
    assert view.form.navigator.item(4).text().endswith("Non commencée")
    answer_all(view.form, {k: v for k, v in answers.items() if k not in first_sitting})
    assert page_states(window) == ["complete"] * 10
    assert store.answers(view.uuid) == answers

    modals.when_shown(QMessageBox, lambda box: button_named(box, "Transmettre").click())
    with qtbot.waitSignal(view.status_changed):
        click(view.transmit_button)
    modals.check()
    assert store.get(view.uuid).status == Status.A_ENVOYER
    assert store.versions(view.uuid)[-1].answers == answers

    QTest.keyClick(view.form.navigator, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # back to « Mes bilans »
    assert rows(window.home) == [(TITLE, "À envoyer")]
