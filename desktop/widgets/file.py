"""The complementary document: pick a file, which is copied into the data folder with its SHA-256."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from desktop.widgets.base import QuestionWidget
from forms.definition import Question

Attach = Callable[[Path], dict[str, Any]]

# Qt's file dialog (used where the system has none) in French: qtbase_fr lacks "&Look in:" and "Files of &type:".
_DIALOG_LABELS = {
    QFileDialog.DialogLabel.LookIn: "Voir dans :",
    QFileDialog.DialogLabel.FileName: "Nom du fichier :",
    QFileDialog.DialogLabel.FileType: "Types de fichiers :",
    QFileDialog.DialogLabel.Accept: "Choisir",
    QFileDialog.DialogLabel.Reject: "Annuler",
}


def _name_filter(media_types: list[str]) -> str:
    """The file dialog's filter from the question's accepted media types (all files when it accepts any)."""
    patterns = sorted({f"*{ext}" for media in media_types for ext in mimetypes.guess_all_extensions(media)})
    return f"Documents acceptés ({' '.join(patterns)})" if patterns else "Tous les fichiers (*)"


def _size_text(size: int) -> str:
    if size < 1024:
        return f"{size} octets"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} Ko"
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")


class FileWidget(QuestionWidget):
    def __init__(self, question: Question, attach: Attach, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self._attach = attach
        self._value: dict[str, Any] | None = None
        self.name_label = QLabel("Aucun document")
        self.name_label.setWordWrap(True)
        self.choose_button = QPushButton("Choisir un document…")
        self.remove_button = QPushButton("Retirer")
        self.open_button = QPushButton("Ouvrir")
        self.open_button.clicked.connect(self._on_open)
        self.describe(self.open_button, f"Ouvrir le document : {question.label}")
        self.choose_button.clicked.connect(self._on_choose)
        self.remove_button.clicked.connect(self._on_remove)
        self.describe(self.choose_button, f"Choisir un document : {question.label}")
        self.describe(self.remove_button, f"Retirer le document : {question.label}")
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.open_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        self.body.addWidget(self.name_label)
        self.body.addLayout(row)
        self._refresh()

    def _on_choose(self) -> None:
        dialog = QFileDialog(self, "Choisir un document", str(Path.home()), _name_filter(self.question.accept))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        for label, text in _DIALOG_LABELS.items():  # Qt's own French catalogue misses two of them
            dialog.setLabelText(label, text)
        if dialog.exec() and dialog.selectedFiles():
            self.choose_file(Path(dialog.selectedFiles()[0]))

    def choose_file(self, path: Path) -> None:
        """Copy `path` into the data folder and make it the answer."""
        try:
            self._value = self._attach(path)
        except OSError as error:
            QMessageBox.warning(self, "Document", f"Impossible de lire ce document : {error.strerror}.")
            return
        self._refresh()
        self.emit_edited()

    def _on_open(self) -> None:
        """The attached document in the system's viewer (a copy: the stored one is never changed)."""
        if not self._value:
            return
        try:
            path = self._attach.readable_copy(self._value)  # type: ignore[attr-defined]
        except OSError as error:
            QMessageBox.warning(self, "Document", f"Impossible d'ouvrir ce document : {error.strerror}.")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            QMessageBox.information(
                self, "Document", f"Aucune application n'a pu ouvrir ce document. En voici une copie :\n{path}"
            )

    def _on_remove(self) -> None:
        self._value = None
        self._refresh()
        self.emit_edited()

    def _refresh(self) -> None:
        if self._value:
            self.name_label.setText(f"{self._value['name']} ({_size_text(self._value['size'])})")
        else:
            self.name_label.setText("Aucun document")
        self.remove_button.setVisible(bool(self._value) and not self._read_only)
        self.open_button.setVisible(bool(self._value) and hasattr(self._attach, "readable_copy"))
        self.choose_button.setVisible(not self._read_only)

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = value if isinstance(value, dict) else None
        self._refresh()

    def set_read_only(self, read_only: bool) -> None:
        super().set_read_only(read_only)
        self._refresh()

    def focus_input(self) -> None:
        self.choose_button.setFocus()
