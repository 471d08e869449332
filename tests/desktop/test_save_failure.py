"""A save that fails shows a banner and keeps what was typed; the edit is saved as soon as it can be."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.main_window import MainWindow
from desktop.questionnaire_view import QuestionnaireView
from forms.lifecycle import Status
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import leave, type_into
from tests.desktop.storesetup import set_status

NAME = "Association « Les Écureuils » — çà et là"


def test_a_refused_save_shows_the_reason_and_keeps_the_text(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Refus").uuid
    view = open_view(uuid)
    set_status(store, uuid, Status.TRANSMIS)  # e.g. the sync applied a status while the form was open
    edit = view.form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
    type_into(edit, NAME)
    leave(edit)

    assert view.error_banner.isVisible()
    assert view.error_banner.text() == (
        "Enregistrement refusé : Ce questionnaire est « Transmis » : il ne peut plus être modifié."
    )
    assert view.saved_label.text() == "Non enregistré"
    assert edit.text() == NAME
    assert view.form.has_pending()
    assert store.answers(uuid) == {}


def test_a_failing_disk_keeps_the_text_and_saves_it_once_it_works(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Disque").uuid
    view = open_view(uuid)
    with store.engine.begin() as connection:  # every write of an answer now fails inside SQLite
        connection.exec_driver_sql(
            "CREATE TRIGGER broken BEFORE INSERT ON answer BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
    edit = view.form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
    type_into(edit, NAME)
    leave(edit)
    assert view.error_banner.isVisible()
    assert "Votre saisie reste affichée" in view.error_banner.text()
    assert edit.text() == NAME
    assert store.answers(uuid) == {}

    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER broken")
    edit.setFocus()
    leave(edit)  # the next focus change saves what waited
    assert store.answers(uuid) == {"nom_structure": NAME}
    assert not view.error_banner.isVisible()
    assert view.saved_label.text().startswith("Enregistré à ")


@pytest.mark.parametrize(
    ("choice", "closes"), [(QMessageBox.StandardButton.No, False), (QMessageBox.StandardButton.Yes, True)]
)
def test_closing_with_an_unsaved_edit_asks_first(
    choice: QMessageBox.StandardButton,
    closes: bool,
    store: Store,
    open_window: Callable[[], MainWindow],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Fermeture").uuid
    window = open_window()
    window.open_questionnaire(uuid)
    assert window.questionnaire_view is not None
    set_status(store, uuid, Status.VALIDE)
    type_into(window.questionnaire_view.form.widgets["nom_structure"].edit, NAME)  # type: ignore[attr-defined]
    asked: list[str] = []

    def warning(_parent: object, title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return choice

    monkeypatch.setattr(QMessageBox, "warning", warning)
    assert window.close() is closes
    assert asked == ["Votre dernière saisie n'a pas pu être enregistrée. Fermer quand même et la perdre ?"]
    assert window.isVisible() is not closes
