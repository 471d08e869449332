"""One page of a questionnaire: its title, its sections and one widget per question, in a scroll area."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.widgets import QuestionWidget, create_question_widget
from desktop.widgets.file import Attach
from forms.definition import Page


class PageView(QScrollArea):
    def __init__(self, page: Page, attach: Attach, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.setAccessibleName(f"Page : {page.title}")  # a Tab stop (it scrolls with the keyboard): say which
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        content.setObjectName("page-content")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(12, 16, 12, 24)
        layout.setSpacing(10)

        title = QLabel(page.title)
        title.setProperty("role", "page-title")
        title.setWordWrap(True)
        layout.addWidget(title)
        self.lock_label = QLabel()  # « Fiche Structure validée par la Caf le … » on a locked page
        self.lock_label.setObjectName("structure-lock")
        self.lock_label.setWordWrap(True)
        self.lock_label.setTextFormat(Qt.TextFormat.PlainText)
        self.lock_label.setProperty("role", "locked")
        self.lock_label.hide()
        layout.addWidget(self.lock_label)
        if page.intro:
            intro = QLabel(page.intro)
            intro.setWordWrap(True)
            intro.setTextFormat(Qt.TextFormat.PlainText)
            intro.setProperty("role", "help-text")
            layout.addWidget(intro)

        self.widgets: dict[str, QuestionWidget] = {}
        self.sections: list[tuple[QLabel, list[str]]] = []
        current_section: str | None = None
        for question in page.questions:
            if question.section and question.section != current_section:
                header = QLabel(question.section)
                header.setProperty("role", "section")
                header.setWordWrap(True)
                layout.addWidget(header)
                self.sections.append((header, []))
            current_section = question.section
            if question.section:
                self.sections[-1][1].append(question.id)
            widget = create_question_widget(question, attach)
            layout.addWidget(widget)
            self.widgets[question.id] = widget
        layout.addStretch(1)
        self.setWidget(content)

    def show_visible(self, visible: frozenset[str]) -> None:
        """Show the questions whose conditions hold; hide a section heading with nothing left under it."""
        for question_id, widget in self.widgets.items():
            widget.setVisible(question_id in visible)
        for header, question_ids in self.sections:
            header.setVisible(any(q in visible for q in question_ids))

    def show_lock(self, sentence: str) -> None:
        """The line saying why its fields are read-only (empty: none)."""
        self.lock_label.setText(sentence)
        self.lock_label.setVisible(bool(sentence))

    def reveal(self, question_id: str) -> None:
        widget = self.widgets[question_id]
        self.ensureWidgetVisible(widget, 0, 40)
        widget.focus_input()
