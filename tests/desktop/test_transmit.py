"""Transmettre: what is missing is listed and each item leads to its field; a complete questionnaire is
confirmed, queued as "À envoyer" and frozen."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QListWidget, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.questionnaire_view import ProblemsDialog, QuestionnaireView
from desktop.widgets import QuestionWidget
from forms.lifecycle import Status
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import Modals, button_named, click
from tests.desktop.readonly import try_every_edit
from tests.forms.sample_answers import complete_answers

MISSING = ("email", "nb_familles", "bilan_qualitatif")


def incomplete() -> dict[str, object]:
    answers = {k: v for k, v in complete_answers().items() if k not in MISSING}
    answers["code_postal"] = "7300"  # invalid: four digits
    return answers


def owner(widget: object) -> QuestionWidget | None:
    while widget is not None and not isinstance(widget, QuestionWidget):
        widget = widget.parentWidget()  # type: ignore[attr-defined]
    return widget


def test_missing_items_are_listed_and_each_leads_to_its_field(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot, modals: Modals
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Incomplet", answers=incomplete()).uuid
    view = open_view(uuid)
    listed: list[str] = []

    click(view.transmit_button)
    dialog = view.problems
    assert dialog is not None
    assert dialog.isVisible()
    assert not dialog.isModal()  # beside the form, which stays usable
    listed.extend(dialog.list.item(row).text() for row in range(dialog.list.count()))
    dialog.list.setCurrentRow(2)
    QTest.keyClick(dialog.list, Qt.Key.Key_Return)
    assert dialog.isVisible()  # still open after « Aller à la question »: the next point is one step away

    definition = store.definition(uuid)
    where = [
        f"{definition.page_of(q).title} › {definition.question(q).label}\n"
        for q in (*MISSING[:1], "code_postal", *MISSING[1:])
    ]
    assert [text.split("\n")[0] + "\n" for text in listed] == where
    assert listed[0].endswith("Réponse obligatoire.")
    assert "Code postal invalide" in listed[1]

    assert view.form.current_page_id() == "donnees_activite"
    target = view.form.widgets["nb_familles"]
    assert view.window().focusWidget() is target.edit  # type: ignore[attr-defined]
    view.activateWindow()  # what the window manager does when the dialog closes (offscreen has none)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is target.edit)  # type: ignore[attr-defined]
    assert target.message_label.text() == "Réponse obligatoire."  # every problem is now shown on its field
    assert view.form.widgets["bilan_qualitatif"].message_label.text() == "Réponse obligatoire."
    assert store.get(uuid).status == Status.EN_COURS


def test_the_go_button_leads_to_the_selected_item(
    store: Store, open_view: Callable[[str], QuestionnaireView], modals: Modals
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Incomplet", answers=incomplete()).uuid
    view = open_view(uuid)

    click(view.transmit_button)
    dialog = view.problems
    assert dialog is not None
    dialog.list.setCurrentRow(1)
    button_named(dialog, "Aller à la question").click()
    assert dialog.isVisible()
    assert view.form.current_page_id() == "localisation_action"
    assert owner(view.window().focusWidget()) is view.form.widgets["code_postal"]


def test_closing_the_list_changes_nothing(
    store: Store, open_view: Callable[[str], QuestionnaireView], modals: Modals
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Incomplet", answers=incomplete()).uuid
    view = open_view(uuid)
    click(view.transmit_button)
    assert view.problems is not None
    button_named(view.problems, "Fermer").click()
    assert not view.problems.isVisible()
    assert view.form.current_page_id() == "identification_structure"
    assert store.get(uuid).status == Status.EN_COURS


def test_cancelling_the_confirmation_keeps_the_draft(
    store: Store, open_view: Callable[[str], QuestionnaireView], modals: Modals
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Complet", answers=complete_answers()).uuid
    view = open_view(uuid)
    modals.when_shown(QMessageBox, lambda box: button_named(box, "Annuler").click())
    click(view.transmit_button)
    modals.check()
    assert store.get(uuid).status == Status.EN_COURS
    assert store.versions(uuid) == []
    assert view.transmit_button.isVisible()


def test_a_transmitted_questionnaire_is_frozen(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot, modals: Modals
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Complet", answers=complete_answers()).uuid
    view = open_view(uuid)
    confirmation: list[str] = []

    def confirm(box: QMessageBox) -> None:
        confirmation.append(box.text())
        button_named(box, "Transmettre").click()

    modals.when_shown(QMessageBox, confirm)
    with qtbot.waitSignal(view.status_changed):
        click(view.transmit_button)
    # no-break spaces inside the guillemets and before « ? »: the closing » never wraps alone (review 15)
    assert "Transmettre «\u00a0Complet\u00a0»\u00a0à la Caf\u00a0?" in confirmation[0]

    assert store.get(uuid).status == Status.A_ENVOYER
    assert view.status_badge.text() == "À envoyer"
    assert not view.transmit_button.isVisible()
    assert "Lecture seule" in view.info_banner.text()
    before = (store.answers(uuid), store.get(uuid).updated_at)
    try_every_edit(view.form)
    assert (store.answers(uuid), store.get(uuid).updated_at) == before


def test_problems_dialog_lists_items_in_questionnaire_order(store: Store, qtbot: QtBot) -> None:
    from desktop.bindings import QuestionnaireBinding

    uuid = store.create(form_id=OFFICIAL_FORM, title="Vide").uuid
    binding = QuestionnaireBinding(store, uuid)
    blocking = store.evaluate(uuid).blocking
    dialog = ProblemsDialog(binding, blocking)
    qtbot.addWidget(dialog)
    items = dialog.findChild(QListWidget)
    assert items is not None
    assert items.count() == len(blocking)
    assert [items.item(r).data(Qt.ItemDataRole.UserRole) for r in range(items.count())] == [
        i.question_id for i in blocking
    ]
    assert dialog.windowTitle() == "Avant de transmettre"
