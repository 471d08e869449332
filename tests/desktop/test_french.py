"""No English anywhere: every text, tooltip and accessible name of the windows and dialogs is French,
including Qt's own buttons, menus and file dialog (qtbase_fr is loaded by the app)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMenu, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from desktop.dialogs import NewActionDialog, ProfileDialog
from desktop.main_window import MainWindow
from desktop.questionnaire_view import ProblemsDialog, QuestionnaireView
from forms.lifecycle import Status
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import Modals, button_named, click
from tests.desktop.storesetup import add_notice, set_status
from tests.desktop.texts import english, texts
from tests.forms.sample_answers import complete_answers, structure_profile


def test_the_detector_finds_english() -> None:
    widget = QWidget()
    QMessageBox(QMessageBox.Icon.Warning, "Warning", "File not found", parent=widget)
    assert {text for _, text in english(widget)} >= {"Warning", "File not found"}
    widget.deleteLater()


def test_the_main_window_and_a_questionnaire_are_in_french(store: Store, open_window: Callable[[], MainWindow]) -> None:
    done = store.create(form_id=OFFICIAL_FORM, title="Complet", answers=complete_answers()).uuid
    store.transmit(done)
    uuid = store.create(form_id=OFFICIAL_FORM, title="Brouillon", answers={"statut_structure": "autre"}).uuid
    window = open_window()
    assert len(list(texts(window))) > 20
    assert english(window) == []

    window.open_questionnaire(uuid)
    assert window.questionnaire_view is not None
    window.questionnaire_view.form.show_all_messages()  # every message of every question
    assert len(list(texts(window))) > 300
    assert english(window) == []


def test_a_questionnaire_to_correct_is_in_french(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="À corriger", answers=complete_answers()).uuid
    set_status(store, uuid, Status.A_CORRIGER)
    add_notice(store, uuid, "Le Siret ne correspond pas.", "siret")
    add_notice(store, uuid, "Merci de préciser le lieu.")
    view = open_view(uuid)
    assert english(view) == []


def test_the_dialogs_are_in_french(store: Store, qtbot: QtBot) -> None:
    from desktop.bindings import QuestionnaireBinding

    store.save_profile(structure_profile())
    uuid = store.create(form_id=OFFICIAL_FORM, title="Vide").uuid
    binding = QuestionnaireBinding(store, uuid)
    dialogs = [
        NewActionDialog(store.registry.latest(), True),
        NewActionDialog(store.registry.latest(), False),
        ProblemsDialog(binding, store.evaluate(uuid).blocking),
        ProfileDialog(store, store.definition(uuid)),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        assert english(dialog) == [], type(dialog).__name__


@pytest.mark.parametrize(
    ("buttons", "expected"),
    [
        (QDialogButtonBox.StandardButton.Cancel, "Annuler"),
        (QDialogButtonBox.StandardButton.Yes, "Oui"),
        (QDialogButtonBox.StandardButton.No, "Non"),
        (QDialogButtonBox.StandardButton.Save, "Enregistrer"),
        (QDialogButtonBox.StandardButton.Open, "Ouvrir"),
        (QDialogButtonBox.StandardButton.Close, "Fermer"),
        (QDialogButtonBox.StandardButton.Help, "Aide"),
    ],
)
def test_qt_standard_buttons_are_translated(
    buttons: QDialogButtonBox.StandardButton, expected: str, qtbot: QtBot
) -> None:
    box = QDialogButtonBox(buttons)
    qtbot.addWidget(box)
    assert [b.text().replace("&", "") for b in box.buttons()] == [expected]


def test_qt_context_menus_are_translated(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Menu").uuid)
    for edit in (view.form.widgets["nom_structure"].edit, view.form.widgets["bilan_qualitatif"].edit):  # type: ignore[attr-defined]
        menu = (
            edit.createStandardContextMenu(QPoint(0, 0))
            if hasattr(edit, "document")
            else edit.createStandardContextMenu()
        )
        assert isinstance(menu, QMenu)
        words = [a.text() for a in menu.actions() if a.text()]
        assert words, "the menu has entries"
        assert english(menu) == [], words
        menu.deleteLater()


def test_the_help_and_the_confirmations_are_in_french(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals, monkeypatch: pytest.MonkeyPatch
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Complet", answers=complete_answers()).uuid
    window = open_window()
    window.open_questionnaire(uuid)
    view = window.questionnaire_view
    assert view is not None
    found: dict[str, list[tuple[str, str]]] = {}

    def look_and_close(name: str, button: str) -> Callable[[QWidget], None]:
        def action(dialog: QWidget) -> None:
            found[name] = english(dialog)
            button_named(dialog, button).click()

        return action

    siret = view.form.widgets["siret"]
    click(siret.help_button)  # the help unfolds in place, under the label (not a message box)
    assert siret.help_label.isVisibleTo(view)
    assert siret.help_label.text() == siret.question.help
    found["help"] = english(siret)
    click(siret.help_button)
    assert siret.help_label.isHidden()
    modals.when_shown(QMessageBox, look_and_close("transmit", "Annuler"))
    click(view.transmit_button)
    modals.check()
    assert found == {"help": [], "transmit": []}


def test_the_file_dialog_is_in_french(
    store: Store, open_view: Callable[[str], QuestionnaireView], modals: Modals, tmp_path: Path
) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Fichier").uuid)
    found: list[list[tuple[str, str]]] = []

    def look(dialog: QFileDialog) -> None:
        found.append([(w, t) for w, t in english(dialog) if t != "OK"])
        dialog.reject()

    modals.when_shown(QFileDialog, look)
    widget = view.form.widgets["document_complementaire"]
    view.form.go_to_page("formation_bilan")
    click(widget.choose_button)  # type: ignore[attr-defined]
    modals.check()
    assert found == [[]]
    assert widget.value() is None
