"""Full keyboard use: Ctrl+PgDown / Ctrl+PgUp between pages, Tab through a page's fields in order,
arrow keys along a matrix row."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from desktop.questionnaire_view import QuestionnaireView
from desktop.widgets import QuestionWidget
from desktop.widgets.matrix import MatrixWidget
from forms.store import Store
from tests.conftest import OFFICIAL_FORM

CTRL = Qt.KeyboardModifier.ControlModifier


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def question_of(widget: QWidget | None) -> str | None:
    while widget is not None and not isinstance(widget, QuestionWidget):
        widget = widget.parentWidget()
    return widget.question.id if widget is not None else None


def official(store: Store, open_view: Callable[[str], QuestionnaireView]) -> tuple[str, QuestionnaireView]:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Clavier").uuid
    return uuid, open_view(uuid)


def test_ctrl_page_keys_move_between_pages(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    _uuid, view = official(store, open_view)
    pages = [p.id for p in view.binding.pages]
    view.form.widgets["nom_structure"].focus_input()
    seen = [view.form.current_page_id()]
    for _ in pages:
        QTest.keyClick(focused(), Qt.Key.Key_PageDown, CTRL)
        seen.append(view.form.current_page_id())
    assert seen == [*pages, pages[-1]]  # the last page stays the last
    assert view.form.next_button.text() == "Vérifier et transmettre…"  # the last page ends with the next step
    for _ in pages:
        QTest.keyClick(focused(), Qt.Key.Key_PageUp, CTRL)
    assert view.form.current_page_id() == pages[0]
    assert not view.form.previous_button.isEnabled()


def test_ctrl_page_keys_work_from_every_kind_of_field(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    _uuid, view = official(store, open_view)
    pages = [p.id for p in view.binding.pages]
    for number, page in enumerate(view.binding.pages[:-1]):
        for question in page.questions:  # a text field, a radio, a check box, a matrix, a long text...
            view.form.go_to_page(page.id)
            if view.form.widgets[question.id].isHidden():
                continue
            view.form.widgets[question.id].focus_input()
            QTest.keyClick(focused(), Qt.Key.Key_PageDown, CTRL)
            assert view.form.current_page_id() == pages[number + 1], question.id
    # The loop may end on a page whose last questions are hidden (the bonus page, since issue 11 added
    # the auto-diagnostic page after it): start the navigator check from the last page.
    view.form.go_to_page(pages[-1])
    view.form.navigator.setFocus()
    QTest.keyClick(view.form.navigator, Qt.Key.Key_PageUp, CTRL)
    assert view.form.current_page_id() == pages[-2]


def test_tab_goes_through_the_fields_in_order(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    _uuid, view = official(store, open_view)
    for page in view.binding.pages:
        view.form.go_to_page(page.id)
        expected = [q.id for q in page.questions if not view.form.widgets[q.id].isHidden()]
        view.form.widgets[expected[0]].focus_input()
        visited: list[str] = []
        for _ in range(200):
            question = question_of(focused())
            if question is None:
                break  # left the page: the buttons under it come next
            if not visited or visited[-1] != question:
                visited.append(question)
            QTest.keyClick(focused(), Qt.Key.Key_Tab)
        assert visited == expected, page.id


def test_arrow_keys_move_along_a_matrix_row(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid, view = official(store, open_view)
    view.form.go_to_page("public_situations")
    matrix = view.form.widgets["situations"]
    assert isinstance(matrix, MatrixWidget)
    row = matrix.groups["logement_inadapte"]
    columns = [c.id for c in matrix.question.choices]

    row.button(1).setFocus()
    QTest.keyClick(focused(), Qt.Key.Key_Space)  # Espace chooses the focused cell
    assert store.answers(uuid)["situations"] == {"logement_inadapte": columns[1]}
    QTest.keyClick(focused(), Qt.Key.Key_Right)  # → the next column of the same row
    assert focused() is row.button(2)
    assert store.answers(uuid)["situations"] == {"logement_inadapte": columns[2]}
    QTest.keyClick(focused(), Qt.Key.Key_Down)  # ↓ never jumps into another row
    QTest.keyClick(focused(), Qt.Key.Key_Left)
    assert focused() is row.button(1)
    assert store.answers(uuid)["situations"] == {"logement_inadapte": columns[1]}
    QTest.keyClick(focused(), Qt.Key.Key_Tab)  # Tab: the next row
    assert focused() in matrix.groups["acces_limite_activites"].buttons()
