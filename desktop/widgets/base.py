"""The contract every question widget honours, whatever its type.

A question widget shows the label (with a required mark), the help behind a "?" button, the input,
and a message line. It never decides whether a value is valid: forms/ does, and the form view
calls `show_issue`. It emits `value_edited` when the user changes the answer, and `left` when
focus leaves it (the moment to show a message or flush a pending save).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from forms.definition import Question
from forms.formatting import guillemets


class QuestionWidget(QFrame):
    value_edited = Signal(str)
    """The user changed the answer; carries the question id."""
    left = Signal(str)
    """Focus left the input; carries the question id."""
    reply_requested = Signal(str)
    """« Répondre » under this question's Caf notice; carries the question id."""

    #: Text inputs ask the view to wait for a pause in typing before saving; choices save at once.
    debounced = False

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.setProperty("role", "question-card")
        self.setObjectName(f"question-{question.id}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(6)

        header = QHBoxLayout()
        mark = " <span style='color:#b3261e'>*</span>" if question.required else ""
        if question.caf_only:
            mark += " <span style='color:#5f6368'>(rempli par la Caf)</span>"
        self.label = QLabel(_escape(guillemets(question.label)) + mark)  # « … » never split over two lines
        self.label.setProperty("role", "question")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        header.addWidget(self.label, 1)
        if question.help:
            self.help_button = QToolButton()
            self.help_button.setText("?")
            self.help_button.setToolTip(question.help)
            self.help_button.setAccessibleName(f"Aide : {question.label}")
            self.help_button.setToolTip(f"{question.help}\n(F1 quand la question a le focus)")
            self.help_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # Tab goes field to field; F1 opens the help
            self.help_button.clicked.connect(self._show_help)
            header.addWidget(self.help_button, 0, Qt.AlignmentFlag.AlignTop)
            shortcut = QShortcut(QKeySequence(Qt.Key.Key_F1), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self._show_help)
        layout.addLayout(header)
        self.help_label = _plain_label("help-text")  # « ? » opens the help here, under the label, not in a box
        if question.help:
            self.help_label.setText(question.help)
            layout.addWidget(self.help_label)
        if question.statement:  # an official instruction, shown in full above the field (not behind « ? »)
            self.statement_label = _plain_label("statement")
            self.statement_label.setText(question.statement)
            self.statement_label.show()
            layout.addWidget(self.statement_label)

        self.body = QVBoxLayout()
        layout.addLayout(self.body)

        self.notice_label = _plain_label("notice")
        self.message_label = _plain_label("error")
        self.reply_button: QPushButton | None = None  # made when a notice here can be answered
        self._layout = layout
        layout.addWidget(self.notice_label)
        layout.addWidget(self.message_label)
        self._read_only = False

    # --- for subclasses -------------------------------------------------------------------

    def add_input(self, widget: QWidget) -> None:
        """Put an input in the body, named and described for screen readers, watched for focus-out."""
        self.body.addWidget(widget)
        self.describe(widget)

    def describe(self, widget: QWidget, name: str | None = None) -> None:
        widget.setAccessibleName(name or self.question.label)
        if self.question.help:
            widget.setAccessibleDescription(self.question.help)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.FocusOut:
            arriving = QApplication.focusWidget()
            if arriving is not None and arriving is not watched and self.isAncestorOf(arriving):
                return False  # from one cell of a matrix to the next: not left yet, no message yet
            self.left.emit(self.question.id)
        return False

    def emit_edited(self) -> None:
        if not self._read_only:
            self.value_edited.emit(self.question.id)

    # --- the contract ---------------------------------------------------------------------

    def value(self) -> Any:
        """The answer as plain JSON data (DESIGN §4), or None when unanswered."""
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        """Show `value` without emitting `value_edited`."""
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only

    def focus_input(self) -> None:
        """Give the keyboard focus to the first input (jump-to-field)."""
        self.focusNextChild()

    def input_error(self) -> str | None:
        """A message when the text typed cannot become a value at all (e.g. '12,5,3'); None otherwise."""
        return None

    def show_issue(self, message: str | None, severity: str = "error") -> None:
        self.message_label.setText(message or "")
        self.message_label.setProperty("role", "advice" if severity == "advice" else "error")
        self.message_label.setVisible(bool(message))
        self.setProperty("state", "error" if message and severity == "error" else "")
        for widget in (self.message_label, self):
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def show_notices(self, lines: list[str], can_reply: bool = False) -> None:
        """The Caf's notices about this question, as forms.overview words them; plain text, never rich text."""
        text = "\n".join(lines)
        self.notice_label.setText(text)
        self.notice_label.setVisible(bool(lines))
        if self.reply_button is None and lines and can_reply:
            self.reply_button = QPushButton("Répondre à la Caf…")
            self.reply_button.setAccessibleName(f"Répondre à la remarque de la Caf : {self.question.label}")
            self.reply_button.clicked.connect(self._on_reply)
            self._layout.insertWidget(
                self._layout.indexOf(self.notice_label) + 1, self.reply_button, 0, Qt.AlignmentFlag.AlignLeft
            )
        if self.reply_button is not None:
            self.reply_button.setVisible(bool(lines) and can_reply)

    def _on_reply(self) -> None:
        self.reply_requested.emit(self.question.id)

    def _show_help(self) -> None:
        """« ? » or F1: the help unfolds under the question's label; again, it folds back."""
        self.help_label.setVisible(self.help_label.isHidden())
        if hasattr(self, "help_button"):
            self.help_button.setText("×" if self.help_label.isVisible() else "?")
            self.help_button.setAccessibleName(
                f"{'Masquer' if self.help_label.isVisible() else 'Aide'} : {self.question.label}"
            )


def _plain_label(role: str) -> QLabel:
    label = QLabel()
    label.setProperty("role", role)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
