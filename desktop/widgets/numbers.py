"""Whole and decimal numbers: the field refuses letters; a comma or a dot both mean the decimal point."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QWidget

from desktop.widgets.base import QuestionWidget
from forms.definition import Question


class NumberWidget(QuestionWidget):
    debounced = True

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self.is_decimal = question.type == "decimal"
        sign = "-?" if question.min is None or question.min < 0 else ""
        fraction = rf"([.,]\d{{0,{question.decimals}}})?" if question.decimals is not None else r"([.,]\d*)?"
        pattern = sign + r"\d{0,9}" + (fraction if self.is_decimal else "")
        self.edit = QLineEdit()
        self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.edit))
        self.edit.setMaximumWidth(180)
        self.edit.textEdited.connect(self._on_edited)
        self.edit.inputRejected.connect(self._on_rejected)
        self.edit.editingFinished.connect(self._on_finished)
        # Beside the field (not under it: nothing moves): a refused key is said, not silently dropped.
        self.refused_label = QLabel()
        self.refused_label.setProperty("role", "error")
        self.refused_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.edit)
        if question.unit:
            row.addWidget(QLabel(question.unit))
        row.addWidget(self.refused_label, 1)
        self.body.addLayout(row)
        self.describe(self.edit)

    def _on_edited(self, _text: str) -> None:
        self._clear_refused()
        self.emit_edited()

    def _clear_refused(self) -> None:
        if self.refused_label.text():  # clear() relayouts the page even when already empty: not on each key
            self.refused_label.clear()

    def _on_rejected(self) -> None:
        self.refused_label.setText(
            "Caractère refusé : des chiffres et une virgule seulement."
            if self.is_decimal
            else "Caractère refusé : des chiffres seulement."
        )

    def _on_finished(self) -> None:
        self._clear_refused()
        if self.is_decimal and "." in self.edit.text():  # « 1.2 » is shown as it is printed: « 1,2 »
            self.edit.setText(self.edit.text().replace(".", ","))

    def _parse(self) -> int | float | None:
        text = self.edit.text().strip().replace(",", ".")
        if text in ("", "-", ".", "-."):
            return None
        if not self.is_decimal:
            return int(text)
        number = float(text)
        return int(number) if number.is_integer() else number

    def value(self) -> Any:
        return self._parse()

    def input_error(self) -> str | None:
        text = self.edit.text().strip()
        if text and self._parse() is None:
            return "Nombre attendu."
        return None

    def set_value(self, value: Any) -> None:
        if value is None:
            self.edit.setText("")
        else:
            self.edit.setText(str(value).replace(".", ","))

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.edit.setReadOnly(read_only)

    def focus_input(self) -> None:
        self.edit.setFocus()
