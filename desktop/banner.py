"""A message across the top of the window that does not block: the result of a manual sync that failed.

A modal box on F5 stops the volunteer for a sentence they could read while working; the banner says
it above whatever is open (the list or a questionnaire) until « Compris » or the next sync that works.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QWidget):
    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setProperty("role", "notice")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName(accessible_name)
        self.close_button = QPushButton("Compris")
        self.close_button.setAccessibleName(f"Compris : fermer « {accessible_name} »")
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def say(self, text: str) -> None:
        self.label.setText(text)
        self.setVisible(bool(text))
