"""Screen readers: every input of every page of the official questionnaire has a name, and its help."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from desktop.main_window import MainWindow
from desktop.questionnaire_view import QuestionnaireView
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.forms.sample_answers import complete_answers

INPUTS = (QLineEdit, QPlainTextEdit, QAbstractButton, QComboBox, QAbstractSpinBox)


def inputs(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if isinstance(w, INPUTS)]


def test_every_input_of_every_page_has_an_accessible_name(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Accessible", answers=complete_answers()).uuid
    view = open_view(uuid)
    checked = 0
    for page_view in view.form.page_views:
        view.form.go_to_page(page_view.page.id)
        for widget in inputs(page_view):
            assert widget.accessibleName().strip(), f"{page_view.page.id}: {type(widget).__name__} {widget.text()!r}"  # type: ignore[attr-defined]
            interface = QAccessible.queryAccessibleInterface(widget)
            assert interface is not None
            assert interface.text(QAccessible.Text.Name).strip()
            checked += 1
    assert checked > 150  # every radio of every matrix, every field, every help button


def test_inputs_carry_their_question_and_help(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Aide").uuid)
    for question_id, widget in view.form.widgets.items():
        question = widget.question
        for field in inputs(widget):
            if field.accessibleName().startswith(("Aide : ", "Effacer la réponse", "Retirer", "Choisir", "Ouvrir")):
                continue
            rows = tuple(f"{row.label} : " for row in question.rows)  # a matrix cell: its row, then its column
            assert field.accessibleName().startswith(rows or question.label), question_id
            if question.help:
                assert field.accessibleDescription() == question.help, question_id


def test_the_page_list_reads_each_page_state(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Pages").uuid)
    navigator = view.form.navigator
    assert navigator.accessibleName() == "Pages du questionnaire"
    spoken = [navigator.item(r).data(Qt.ItemDataRole.AccessibleTextRole) for r in range(navigator.count())]
    assert spoken[0] == f"Page 1 : {view.binding.pages[0].title}, Non commencée"
    assert len(spoken) == len(view.binding.pages)


def test_every_tab_stop_of_a_questionnaire_is_named(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    """What a screen reader announces when Tab lands on it: never an unnamed widget."""
    view = open_view(store.create(form_id=OFFICIAL_FORM, title="Tabulation", answers=complete_answers()).uuid)
    unnamed = []
    for widget in [view, *view.findChildren(QWidget)]:
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or not widget.isEnabled():
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None or not interface.text(QAccessible.Text.Name).strip():
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []


def test_every_tab_stop_of_the_list_is_named(store: Store, open_window: Callable[[], MainWindow]) -> None:
    store.create(form_id=OFFICIAL_FORM, title="Une action")
    window = open_window()
    unnamed = []
    for widget in window.findChildren(QWidget):
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus or not widget.isVisible():
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        if interface is None or not interface.text(QAccessible.Text.Name).strip():
            unnamed.append(f"{type(widget).__name__} {widget.objectName()}")
    assert unnamed == []
