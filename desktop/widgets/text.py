"""Short and long text inputs, including the formatted identifiers (SIRET, postal code, e-mail…)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shiboken6
from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QSizePolicy, QWidget

from desktop.widgets.base import QuestionWidget
from forms.definition import Question
from forms.validators import DEFAULT_MAX_LENGTH

# Per type: placeholder, characters the field accepts (None: anything), maximum length typed.
_FORMATS: dict[str, tuple[str, str | None, int]] = {
    "text": ("", None, DEFAULT_MAX_LENGTH["text"]),
    "email": ("exemple : contact@association.fr", r"[^\s]*", 254),
    "phone": ("exemple : 01 23 45 67 89", r"[0-9+ .\-]*", 20),
    "siret": ("14 chiffres, exemple : 732 829 320 00074", r"[0-9 ]*", 17),
    "siren": ("9 chiffres, exemple : 732 829 320", r"[0-9 ]*", 11),
    "postal_code": ("5 chiffres, exemple : 73000", r"[0-9]*", 5),
    "insee_code": ("5 caractères, exemple : 73065", r"[0-9AaBb]*", 5),
    "date": ("JJ/MM/AAAA", r"[0-9/]*", 10),
}


class LineWidget(QuestionWidget):
    debounced = True

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        placeholder, allowed, length = _FORMATS[question.type]
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(question.placeholder or placeholder)
        self.edit.setMaxLength(question.max_length or length)
        if allowed:
            self.edit.setValidator(QRegularExpressionValidator(QRegularExpression(allowed), self.edit))
        self.edit.textEdited.connect(self._on_edited)
        self.add_input(self.edit)
        if self.edit.maxLength() <= 24:  # a code (postal, Insee, SIRET): sized to what it holds, as DSFR does
            metrics = self.edit.fontMetrics()
            wanted = max(
                metrics.horizontalAdvance("0" * (self.edit.maxLength() + 4)),
                metrics.horizontalAdvance(self.edit.placeholderText()),
            )
            self.edit.setMaximumWidth(wanted + 24)

    def _on_edited(self, _text: str) -> None:
        self.emit_edited()

    def value(self) -> Any:
        text = self.edit.text()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.edit.setReadOnly(read_only)

    def focus_input(self) -> None:
        self.edit.setFocus()


class DateWidget(LineWidget):
    """Typed as JJ/MM/AAAA, kept as AAAA-MM-JJ; text that is not a date yet is kept as typed (and flagged)."""

    def value(self) -> Any:
        text = self.edit.text().strip()
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%d/%m/%Y").date().isoformat()
        except ValueError:
            return text

    def set_value(self, value: Any) -> None:
        try:
            self.edit.setText(dt.date.fromisoformat(value).strftime("%d/%m/%Y"))
        except (TypeError, ValueError):
            self.edit.setText(value or "")


class LongTextWidget(QuestionWidget):
    """A text area that grows with its content (up to a comfortable height), with a character count."""

    debounced = True
    MIN_HEIGHT, MAX_HEIGHT = 90, 420

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self.limit = question.max_length or DEFAULT_MAX_LENGTH["long_text"]
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)  # Tab moves on, as everywhere else in the form
        self.edit.setPlaceholderText(question.placeholder or "Écrivez ici…")
        self.edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.edit.setFixedHeight(self.MIN_HEIGHT)
        self.edit.textChanged.connect(self._on_changed)
        self.counter = QLabel()
        self.counter.setProperty("role", "help-text")
        self._loading = False
        self.add_input(self.edit)
        self.body.addWidget(self.counter)
        self._update_counter()

    def _on_changed(self) -> None:
        self._update_counter()
        QTimer.singleShot(0, self._fit_height)  # the document's size is known after layout
        if not self._loading:
            self.emit_edited()

    def _fit_height(self) -> None:
        if not shiboken6.isValid(self.edit):  # the view closed before this next turn of the event loop
            return
        lines = self.edit.document().size().height()
        line_height = self.edit.fontMetrics().lineSpacing()
        wanted = int(lines * line_height) + 16
        self.edit.setFixedHeight(max(self.MIN_HEIGHT, min(self.MAX_HEIGHT, wanted)))

    def _update_counter(self) -> None:
        count = len(self.edit.toPlainText())
        self.counter.setText(f"{count:,} / {self.limit:,} caractères".replace(",", "\u202f"))

    def value(self) -> Any:
        text = self.edit.toPlainText()
        return text if text.strip() else None

    def set_value(self, value: Any) -> None:
        self._loading = True
        self.edit.setPlainText("" if value is None else str(value))
        self._loading = False

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self.edit.setReadOnly(read_only)

    def focus_input(self) -> None:
        self.edit.setFocus()
