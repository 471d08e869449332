"""Driving the real widgets as a person would: keys typed, buttons clicked, dialogs answered.

`answer(form, question_id, value)` goes to the question's page and enters `value` (an answer as
stored, DESIGN §4) through the widget of its type; a modal dialog is answered with `Modals`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QLineEdit, QPlainTextEdit, QWidget

from desktop.form_view import FormView
from desktop.widgets.choices import CheckboxesWidget, RadioWidget
from desktop.widgets.file import FileWidget
from desktop.widgets.matrix import MatrixWidget
from desktop.widgets.numbers import NumberWidget
from desktop.widgets.text import DateWidget, LineWidget, LongTextWidget
from tests.support.typing import type_text


def type_into(widget: QLineEdit | QPlainTextEdit, text: str, *, replace: bool = True) -> None:
    """Focus `widget`, select what it holds (Ctrl+A) and type `text`; a newline is the Entrée key."""
    widget.setFocus(Qt.FocusReason.MouseFocusReason)
    if replace:
        QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(widget, Qt.Key.Key_Delete)
    for number, line in enumerate(text.split("\n")):
        if number:
            QTest.keyClick(widget, Qt.Key.Key_Return)
        type_text(widget, line)


def click(button: QAbstractButton) -> None:
    """A left click on the button's indicator (a check box's clickable area ends with its label)."""
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)  # where a person sees it: laid out
    QTest.mouseClick(button, Qt.MouseButton.LeftButton, pos=QPoint(min(8, button.width() // 2), button.height() // 2))


def leave(widget: QWidget) -> None:
    """Tab to the next field, as a person moving on would."""
    QTest.keyClick(widget, Qt.Key.Key_Tab)


def go_to_question(form: FormView, question_id: str) -> None:
    page_id = form.binding.definition.page_of(question_id).id
    if form.current_page_id() != page_id:
        form.go_to_page(page_id)
    form.page_views[form.pages.currentIndex()].ensureWidgetVisible(form.widgets[question_id])


def answer(form: FormView, question_id: str, value: Any) -> None:
    """Enter `value` for `question_id` through its widget, then move on (Tab) where typing was involved."""
    go_to_question(form, question_id)
    widget = form.widgets[question_id]
    if isinstance(widget, DateWidget):
        text = "" if value is None else dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        type_into(widget.edit, text)
        leave(widget.edit)
    elif isinstance(widget, LineWidget | LongTextWidget):
        type_into(widget.edit, value or "")
        leave(widget.edit)
    elif isinstance(widget, NumberWidget):
        type_into(widget.edit, "" if value is None else str(value).replace(".", ","))
        leave(widget.edit)
    elif isinstance(widget, RadioWidget):
        click(radio_for(widget, value))
    elif isinstance(widget, CheckboxesWidget):
        wanted = set(value or [])
        for choice_id, box in widget.boxes.items():
            if box.isChecked() != (choice_id in wanted):
                click(box)
    elif isinstance(widget, MatrixWidget):
        columns = [c.id for c in widget.question.choices]
        for row_id, column_id in value.items():
            click(widget.groups[row_id].button(columns.index(column_id)))
    elif isinstance(widget, FileWidget):
        widget.choose_file(Path(value))
    else:
        raise AssertionError(f"no driver for {type(widget).__name__}")


def radio_for(widget: RadioWidget, value: Any) -> QAbstractButton:
    """The radio button a person would pick for `value`, found by its visible label."""
    if widget.question.type == "yes_no":
        label = "Oui" if value else "Non"
    else:
        label = next(c.label for c in widget.question.choices if c.id == value)
    return next(b for b in widget.group.buttons() if b.text() == label)


def answer_all(form: FormView, answers: dict[str, Any]) -> None:
    """Answer in questionnaire order, page after page, as a person filling the form would."""
    order = [q.id for q in form.binding.definition.questions()]
    for question_id in sorted(answers, key=order.index):
        answer(form, question_id, answers[question_id])


class Modals:
    """Answers the next modal dialog when it opens: `exec()` blocks the test until it closes.

    The action runs on the dialog's own event loop. Whatever happens, the dialog is closed, so a
    failing test reports instead of hanging; `check()` raises what went wrong.
    """

    def __init__(self) -> None:
        self.handled: list[QDialog] = []
        self.errors: list[BaseException] = []

    def when_shown(self, kind: type[QDialog], action: Callable[[Any], None], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout

        def poll() -> None:
            widget = QApplication.activeModalWidget()
            if isinstance(widget, kind) and widget.isVisible():
                try:
                    action(widget)
                except BaseException as error:  # noqa: BLE001 - reported by check()
                    self.errors.append(error)
                self.handled.append(widget)
                QTimer.singleShot(0, lambda: self._close_if_open(widget))
            elif time.monotonic() > deadline:
                self.errors.append(TimeoutError(f"no {kind.__name__} opened (modal: {widget!r})"))
                if isinstance(widget, QDialog):
                    widget.reject()
            else:
                QTimer.singleShot(10, poll)

        QTimer.singleShot(0, poll)

    def _close_if_open(self, widget: QDialog) -> None:
        if shiboken6.isValid(widget) and widget.isVisible():
            self.errors.append(AssertionError(f"{type(widget).__name__} was left open by the test's action"))
            widget.reject()

    def check(self) -> None:
        if self.errors:
            raise self.errors[0]


def button_named(dialog: QWidget, text: str) -> QAbstractButton:
    """The button of `dialog` whose text (without its & accelerator) is `text`."""
    buttons = [b for b in dialog.findChildren(QAbstractButton) if b.text().replace("&", "") == text]
    assert buttons, f"no button « {text} » in {[b.text() for b in dialog.findChildren(QAbstractButton)]}"
    return buttons[0]
