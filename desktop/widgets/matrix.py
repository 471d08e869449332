"""A matrix question: one row per item, one radio button per column, one exclusive group per row.

Arrow keys move within a row's group; Tab moves to the next row.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QFrame, QGridLayout, QLabel, QRadioButton, QSizePolicy, QWidget

from desktop.widgets.base import QuestionWidget
from forms.definition import Question


class MatrixWidget(QuestionWidget):
    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(6)  # five columns still fit a 1024-px screen at 150 %
        grid.setVerticalSpacing(6)
        grid.setColumnStretch(0, 3)
        for column, choice in enumerate(question.choices, 1):
            header = QLabel(choice.label)
            header.setWordWrap(True)
            header.setAlignment(Qt.AlignmentFlag.AlignCenter)
            header.setProperty("role", "help-text")
            grid.addWidget(header, 0, column)
            grid.setColumnStretch(column, 1)
        self.groups: dict[str, QButtonGroup] = {}
        for line, row in enumerate(question.rows, 1):
            if line % 2:  # every other row shaded, so that the eye follows a row to its buttons
                band = QFrame()
                band.setProperty("role", "matrix-band")
                grid.addWidget(band, line, 0, 1, len(question.choices) + 1)
            label = QLabel(row.label)
            label.setWordWrap(True)
            label.setContentsMargins(6, 2, 0, 2)
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            grid.addWidget(label, line, 0)
            group = QButtonGroup(self)
            for column, choice in enumerate(question.choices, 1):
                button = QRadioButton()
                button.setToolTip(f"{row.label} : {choice.label}")
                self.describe(button, f"{row.label} : {choice.label}")
                group.addButton(button, column - 1)
                grid.addWidget(button, line, column, Qt.AlignmentFlag.AlignCenter)
            group.idClicked.connect(self._on_clicked)
            self.groups[row.id] = group
        self.body.addWidget(grid_host)

    def _on_clicked(self, _index: int) -> None:
        self.emit_edited()

    def value(self) -> Any:
        chosen = {}
        for row_id, group in self.groups.items():
            index = group.checkedId()
            if index >= 0:
                chosen[row_id] = self.question.choices[index].id
        return chosen or None

    def set_value(self, value: Any) -> None:
        columns = {c.id: i for i, c in enumerate(self.question.choices)}
        for row_id, group in self.groups.items():
            index = columns.get(str(value.get(row_id))) if isinstance(value, dict) else None
            group.setExclusive(False)
            for button in group.buttons():
                button.setChecked(False)
            group.setExclusive(True)
            if index is not None:
                group.button(index).setChecked(True)

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        for group in self.groups.values():
            for button in group.buttons():
                button.setEnabled(not read_only)

    def focus_input(self) -> None:
        first = next(iter(self.groups.values()))
        (first.checkedButton() or first.buttons()[0]).setFocus()
