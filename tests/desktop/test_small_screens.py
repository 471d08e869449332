"""Any title, any screen (issue 15 items 1 and 3): with a 150-character action name, every page of the
official questionnaire fits a 1024×600 netbook, a 1366×768 laptop and 1024×600 at 150 % scaling (683×400
logical pixels): every button and field lies inside the window, nothing scrolls sideways; and the form does
not jump when « Effacer la réponse » appears."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from desktop.fitting import WrappingCheckBox
from desktop.main_window import MainWindow
from desktop.widgets.choices import CheckboxesWidget, RadioWidget
from forms.store import Store
from tests.desktop.driver import click, go_to_question
from tests.forms.sample_answers import complete_answers

LONG_TITLE = (
    "Accompagnement à la scolarité des collégiens du quartier prioritaire des Hauts de Chambéry "
    "(groupe du mercredi après-midi, salle polyvalente Pré-Vert)"
)
SCREENS = [(1024, 600), (1366, 768), (683, 400)]  # the last: 1024×600 at QT_SCALE_FACTOR=1.5
INPUTS = (QAbstractButton, QLineEdit, QPlainTextEdit, QTextEdit, QComboBox)


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _scroller(widget: QWidget, window: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def out_of_reach(window: QWidget) -> list[str]:
    """Every shown control outside the window; inside a scroll area, outside it sideways (scrolling down is fine)."""
    bounds = window.rect()
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INPUTS) or not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        if any(isinstance(p, QAbstractScrollArea) and widget is p.horizontalScrollBar() for p in [widget.parent()]):
            continue
        top_left = widget.mapTo(window, QPoint(0, 0))
        rect = QRect(top_left, widget.size())
        scroller = _scroller(widget, window)
        if scroller is not None:
            viewport = QRect(scroller.viewport().mapTo(window, QPoint(0, 0)), scroller.viewport().size())
            inside = viewport.left() <= rect.left() and rect.right() <= viewport.right()
        else:
            inside = bounds.contains(rect)
        if not inside:
            name = widget.accessibleName() or getattr(widget, "text", lambda: "")() or type(widget).__name__
            found.append(f"{name!r} at {rect.getRect()} in {bounds.getRect()}")
    return found


@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_every_page_fits_with_a_long_title(
    store: Store, open_window: Callable[[], MainWindow], qtbot: QtBot, width: int, height: int
) -> None:
    assert len(LONG_TITLE) == 150
    info = store.create(form_id="clas-2024-2025", title=LONG_TITLE, answers=complete_answers())
    window = open_window()
    window.resize(width, height)
    assert out_of_reach(window) == []  # the list, its buttons and the status bar
    window.open_questionnaire(info.uuid)
    view = window.questionnaire_view
    assert view is not None
    settle()
    assert (window.width(), window.height()) == (width, height)  # nothing forced it wider or taller
    assert LONG_TITLE in window.windowTitle()
    assert view.title_label.toolTip() == LONG_TITLE
    if width <= 1024:
        assert view.title_label.is_elided()  # cut with « … » rather than widening the window
    for row, page_view in enumerate(view.form.page_views):
        view.form.navigator.setCurrentRow(row)
        settle()
        assert window.minimumSizeHint().width() <= width, page_view.page.title
        assert out_of_reach(window) == [], page_view.page.title
        assert page_view.horizontalScrollBar().maximum() == 0, f"scrolls sideways: {page_view.page.title}"


def test_long_choice_labels_wrap(store: Store, open_window: Callable[[], MainWindow]) -> None:
    """Page 9 (Bonus): the criteria's long labels wrap onto several lines inside their card."""
    info = store.create(form_id="clas-2024-2025", title="Bonus", answers=complete_answers())
    window = open_window()
    window.resize(683, 400)
    window.open_questionnaire(info.uuid)
    view = window.questionnaire_view
    assert view is not None
    boxes = [
        box
        for widget in view.form.widgets.values()
        if isinstance(widget, CheckboxesWidget)
        for box in widget.boxes.values()
        if len(box.text()) > 90
    ]
    assert boxes, "the official questionnaire has long choice labels"
    view.form.go_to_page(view.binding.definition.page_of(boxes[0].parent().question.id).id)  # type: ignore[attr-defined]
    settle()
    box = boxes[0]
    assert isinstance(box, WrappingCheckBox)
    assert box.height() > 2 * box.fontMetrics().height()  # on several lines
    assert box.width() < box.fontMetrics().horizontalAdvance(box.text())
    was = box.isChecked()
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(box.width() // 2, box.height() - 6))  # on the text
    assert box.isChecked() != was


def test_nothing_moves_when_an_answer_appears(store: Store, open_window: Callable[[], MainWindow]) -> None:
    """« Effacer la réponse » shows after a yes/no answer, in a place kept for it: the next question stays put."""
    info = store.create(form_id="clas-2024-2025", title="Sans saut")
    window = open_window()
    window.resize(1024, 600)
    window.open_questionnaire(info.uuid)
    view = window.questionnaire_view
    assert view is not None
    form = view.form
    radios = [w for w in form.widgets.values() if isinstance(w, RadioWidget) and w.isVisibleTo(form)]
    assert radios
    first = radios[0]
    page = form.binding.definition.page_of(first.question.id)
    following = [w for w in form.page_views[form.binding.pages.index(page)].widgets.values() if w.y() > first.y()]
    assert following
    go_to_question(form, first.question.id)
    settle()
    below = following[0]
    before = (below.mapTo(window, QPoint(0, 0)), first.height())
    click(first.group.buttons()[0])
    settle()
    assert first.clear_button.isVisible()
    assert (below.mapTo(window, QPoint(0, 0)), first.height()) == before
    click(first.clear_button)
    settle()
    assert not first.clear_button.isVisible()
    assert (below.mapTo(window, QPoint(0, 0)), first.height()) == before


def test_code_fields_are_sized_to_their_content(store: Store, open_window: Callable[[], MainWindow]) -> None:
    """Code postal, Insee, SIRET: as wide as what they hold (and their example), not the whole card."""
    info = store.create(form_id="clas-2024-2025", title="Tailles")
    window = open_window()
    window.resize(1366, 768)
    window.open_questionnaire(info.uuid)
    view = window.questionnaire_view
    assert view is not None
    for question_id in ("siret", "code_postal"):
        view.form.go_to_page(view.binding.definition.page_of(question_id).id)
        settle()
        widget = view.form.widgets[question_id]
        edit = widget.edit  # type: ignore[attr-defined]
        assert edit.width() < widget.width() // 2, question_id
        assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) < edit.width(), question_id
