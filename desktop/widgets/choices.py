"""Single choice, multiple choice and yes/no: radio buttons and check boxes, keyboard-friendly."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QHBoxLayout, QPushButton, QRadioButton, QWidget

from desktop.fitting import WrappingCheckBox, WrappingRadioButton
from desktop.widgets.base import QuestionWidget
from forms.definition import Question


class RadioWidget(QuestionWidget):
    """One answer among several (single_choice), or Oui / Non (yes_no)."""

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        if question.type == "yes_no":
            options: list[tuple[Any, str]] = [(True, "Oui"), (False, "Non")]
            row: QHBoxLayout | None = QHBoxLayout()
        else:
            options = [(c.id, c.label) for c in question.choices]
            row = None
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._values: dict[int, Any] = {}
        for index, (value, label) in enumerate(options):
            button: QRadioButton = QRadioButton(label) if row is not None else WrappingRadioButton(label)
            self.group.addButton(button, index)
            self._values[index] = value
            self.describe(button, f"{question.label} : {label}")
            if row is not None:
                row.addWidget(button)
            else:
                self.body.addWidget(button)
        if row is not None:
            row.addStretch(1)
            self.body.addLayout(row)
        self.clear_button = QPushButton("Effacer la réponse")
        self.clear_button.setFlat(True)
        self.clear_button.setAccessibleName(f"Effacer la réponse : {question.label}")
        self.clear_button.clicked.connect(self._on_clear)
        self.clear_button.setObjectName("link")
        self.body.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignLeft)
        keep = self.clear_button.sizePolicy()
        keep.setRetainSizeWhenHidden(True)  # its place is kept: nothing below moves when it appears
        self.clear_button.setSizePolicy(keep)
        self.clear_button.hide()
        self.group.idClicked.connect(self._on_clicked)

    def _on_clicked(self, _index: int) -> None:
        self.clear_button.setVisible(not self._read_only)
        self.emit_edited()

    def _on_clear(self) -> None:
        self._uncheck()
        self.emit_edited()

    def _uncheck(self) -> None:
        self.group.setExclusive(False)  # an exclusive group cannot be emptied otherwise
        for button in self.group.buttons():
            button.setChecked(False)
        self.group.setExclusive(True)
        self.clear_button.hide()

    def value(self) -> Any:
        index = self.group.checkedId()
        return None if index < 0 else self._values[index]

    def set_value(self, value: Any) -> None:
        for index, option in self._values.items():
            if option == value and type(option) is type(value):
                self.group.button(index).setChecked(True)
                self.clear_button.setVisible(not self._read_only)
                return
        self._uncheck()

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        for button in self.group.buttons():
            button.setEnabled(not read_only)
        self.clear_button.setVisible(not read_only and self.value() is not None)

    def focus_input(self) -> None:
        checked = self.group.checkedButton() or self.group.buttons()[0]
        checked.setFocus()


class CheckboxesWidget(QuestionWidget):
    """Several answers (multiple_choice), kept in the definition's order."""

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self.boxes: dict[str, QCheckBox] = {}
        for choice in question.choices:
            box: QCheckBox = WrappingCheckBox(choice.label)
            box.toggled.connect(self._on_toggled)
            self.describe(box, f"{question.label} : {choice.label}")
            self.body.addWidget(box)
            self.boxes[choice.id] = box
        self._loading = False

    def _on_toggled(self, _checked: bool) -> None:
        if not self._loading:
            self.emit_edited()

    def value(self) -> Any:
        ticked = [choice_id for choice_id, box in self.boxes.items() if box.isChecked()]
        return ticked or None

    def set_value(self, value: Any) -> None:
        self._loading = True
        for choice_id, box in self.boxes.items():
            box.setChecked(isinstance(value, list) and choice_id in value)
        self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        for box in self.boxes.values():
            box.setEnabled(not read_only)

    def focus_input(self) -> None:
        next(iter(self.boxes.values())).setFocus()
