"""Trying every kind of edit on a read-only form, through the real widgets."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from desktop.form_view import FormView
from desktop.widgets.choices import CheckboxesWidget, RadioWidget
from desktop.widgets.file import FileWidget
from desktop.widgets.matrix import MatrixWidget
from desktop.widgets.numbers import NumberWidget
from desktop.widgets.text import LineWidget, LongTextWidget
from tests.desktop.driver import click, type_into


class SaveSpy(QObject):
    """Counts the form's saves and failed saves."""

    def __init__(self, form: FormView) -> None:
        super().__init__(form)
        self.saves: list[Any] = []
        form.saved.connect(self.saves.append)
        form.save_failed.connect(self.saves.append)


def try_every_edit(form: FormView, only: frozenset[str] | None = None) -> None:
    """Type, click and tick everywhere on every page (or on the questions `only`); assert that no widget
    changed its value and nothing was saved."""
    spy = SaveSpy(form)
    for page in form.binding.pages:
        if only is not None and not any(q.id in only for q in page.questions):
            continue
        form.go_to_page(page.id)
        for question in page.questions:
            if only is not None and question.id not in only:
                continue
            widget = form.widgets[question.id]
            before = widget.value()
            if isinstance(widget, LineWidget | NumberWidget | LongTextWidget):
                type_into(widget.edit, "12 zz")
                type_into(widget.edit, "3", replace=False)
            elif isinstance(widget, RadioWidget):
                for button in widget.group.buttons():
                    click(button)
                assert not widget.clear_button.isVisible()
            elif isinstance(widget, CheckboxesWidget):
                for box in widget.boxes.values():
                    click(box)
            elif isinstance(widget, MatrixWidget):
                for group in widget.groups.values():
                    for button in group.buttons():
                        click(button)
            elif isinstance(widget, FileWidget):
                assert not widget.choose_button.isVisible()
                assert not widget.remove_button.isVisible()
            assert widget.value() == before, question.id
    assert not form.has_pending()
    assert spy.saves == []
