"""« Répondre » to a Caf notice: the notice in plain text, a text box, Envoyer / Annuler."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class ReplyDialog(QDialog):
    def __init__(self, where: str, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Répondre à la Caf")
        self.setMinimumWidth(520)
        notice = QLabel(f"{where} : {message}")
        notice.setTextFormat(Qt.TextFormat.PlainText)  # the Caf's text is never rendered as rich text
        notice.setWordWrap(True)
        notice.setProperty("role", "notice")
        hint = QLabel(
            "Votre réponse est enregistrée sur cet ordinateur, puis envoyée à la Caf à la prochaine synchronisation."
        )
        hint.setWordWrap(True)
        hint.setProperty("role", "help-text")
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Votre réponse à la Caf")
        self.editor.setTabChangesFocus(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Envoyer la réponse")
        ok.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.editor.textChanged.connect(self._on_text_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(notice)
        layout.addWidget(self.editor, 1)
        layout.addWidget(hint)
        layout.addWidget(self.buttons)
        self.editor.setFocus()

    def _on_text_changed(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.text()))

    def text(self) -> str:
        return self.editor.toPlainText().strip()
