"""A multi-page form over a Binding: page navigator with progress colours, autosave, messages.

Autosave: a choice is saved at once; typing is saved after a 300 ms pause, and in any case when
focus leaves the field, when the page changes and when the view closes (`flush`). The engine in
forms/ decides what is visible, missing, invalid or advised; this view only shows it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeySequence, QPainter, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.bindings import Binding
from desktop.page_view import PageView
from desktop.theme import PROGRESS_COLOURS
from desktop.widgets import QuestionWidget
from desktop.widgets.file import Attach
from forms.evaluation import REQUIRED, Evaluation, Issue, PageProgress, evaluate
from forms.points import field_text
from forms.rules import prefilled

DEBOUNCE_MS = 300


def _dot(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(1, 1, 12, 12)
    painter.end()
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)  # else the current page's dot is tinted and its colour lost
    return icon


def _state_text(progress: PageProgress) -> str:
    if progress.local:
        return "Facultative · reste sur cet ordinateur"
    if progress.state == "complete":
        return "Complète"
    missing = progress.required_missing + progress.errors
    if progress.state == "not_started":
        return "Non commencée"
    return f"Incomplète : {missing} point{'s' if missing > 1 else ''} à voir"


class FormView(QWidget):
    saved = Signal(object)
    """Answers were written durably; carries the datetime of the save."""
    save_failed = Signal(str)
    """A save was refused or failed; carries the French message. The typed value stays on screen."""
    finish_requested = Signal()
    """« Vérifier et transmettre » at the end of the last page."""
    evaluated = Signal(object)
    """The answers were (re)evaluated; carries the forms.evaluation.Evaluation."""
    page_changed = Signal(str)
    """The page shown changed; carries the page id."""
    reply_requested = Signal(str)
    """« Répondre » under a question's Caf notice; carries the question id."""

    def __init__(self, binding: Binding, attach: Attach, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.binding = binding
        self._answers: dict[str, Any] = binding.load()
        self._pending: dict[str, None] = {}  # question ids waiting to be saved, in edit order
        self._touched: set[str] = {qid for qid, value in self._answers.items() if value is not None}
        self._show_all = False
        self._read_only = False
        self._locked: frozenset[str] = frozenset()  # the Caf validated the fiche Structure: read-only
        self._noticed: frozenset[str] = frozenset()
        self.evaluation: Evaluation = evaluate(binding.definition, self._answers)

        self.navigator = QListWidget()
        self.navigator.setObjectName("page-navigator")
        self.navigator.setAccessibleName("Pages du questionnaire")
        self.navigator.setIconSize(QSize(14, 14))
        self.navigator.setMinimumWidth(150)  # wraps: the page keeps the room on a small screen
        self.navigator.setWordWrap(True)
        self.pages = QStackedWidget()
        self.page_views: list[PageView] = []
        self.widgets: dict[str, QuestionWidget] = {}
        for page in binding.pages:
            view = PageView(page, attach)
            self.pages.addWidget(view)
            self.page_views.append(view)
            self.widgets.update(view.widgets)
            self.navigator.addItem(QListWidgetItem(page.title))
        for widget in self.widgets.values():
            widget.set_value(self._answers.get(widget.question.id))
            widget.value_edited.connect(self._on_value_edited)
            widget.left.connect(self._on_left)
            widget.reply_requested.connect(self.reply_requested)
            if widget.question.caf_only:  # filled by the Caf: never editable by the partner
                widget.set_read_only(True)

        self.previous_button = QPushButton("◀  Page précédente")
        self.next_button = QPushButton("Page suivante  ▶")
        self.previous_button.setToolTip("Ctrl+Page précédente")
        self.next_button.setToolTip("Ctrl+Page suivante")
        self.previous_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self._on_next)
        self._can_finish = False
        footer = QHBoxLayout()
        footer.addWidget(self.previous_button)
        footer.addStretch(1)
        footer.addWidget(self.next_button)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.pages, 1)
        right_layout.addLayout(footer)
        self.splitter = splitter = QSplitter()
        splitter.addWidget(self.navigator)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([260, 800])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.flush)
        self.navigator.currentRowChanged.connect(self._on_page_selected)
        for keys, slot in (("Ctrl+PgDown", self.next_page), ("Ctrl+PgUp", self.previous_page)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self._refresh()
        self.navigator.setCurrentRow(0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        # The page list gets a quarter of a narrow window (150 to 260 px): the page keeps room for its matrices.
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            width = self.splitter.width()
            navigator = max(150, min(260, width // 4))
            self.splitter.setSizes([navigator, max(0, width - navigator)])

    # --- navigation ------------------------------------------------------------------------

    def current_page_id(self) -> str:
        return self.binding.pages[self.pages.currentIndex()].id

    def go_to_page(self, page_id: str) -> None:
        for index, page in enumerate(self.binding.pages):
            if page.id == page_id:
                self.navigator.setCurrentRow(index)
                return

    def next_page(self) -> None:
        self.navigator.setCurrentRow(min(self.navigator.currentRow() + 1, self.navigator.count() - 1))

    def previous_page(self) -> None:
        self.navigator.setCurrentRow(max(self.navigator.currentRow() - 1, 0))

    def _on_page_selected(self, row: int) -> None:
        if row < 0:
            return
        self.flush()
        self.pages.setCurrentIndex(row)
        self.previous_button.setEnabled(row > 0)
        self._update_next()
        self.page_views[row].verticalScrollBar().setValue(0)
        self.page_changed.emit(self.binding.pages[row].id)

    def set_can_finish(self, can: bool) -> None:
        """The questionnaire may be transmitted: the last page ends with « Vérifier et transmettre »."""
        self._can_finish = can
        self._update_next()

    def _on_last_page(self) -> bool:
        return self.navigator.currentRow() >= self.navigator.count() - 1

    def _update_next(self) -> None:
        finish = self._on_last_page() and self._can_finish
        self.next_button.setText("Vérifier et transmettre…" if finish else "Page suivante  ▶")
        self.next_button.setToolTip("Liste ce qui reste à voir, puis transmet" if finish else "Ctrl+Page suivante")
        self.next_button.setEnabled(finish or not self._on_last_page())

    def _on_next(self) -> None:
        if self._on_last_page() and self._can_finish:
            self.finish_requested.emit()
        else:
            self.next_page()

    def focus_question(self, question_id: str) -> None:
        """Jump to a question: its page, scrolled into view, with the keyboard focus in it."""
        page_id = self.binding.definition.page_of(question_id).id
        self.go_to_page(page_id)
        self.page_views[self.pages.currentIndex()].reveal(question_id)

    # --- autosave -------------------------------------------------------------------------

    def _on_value_edited(self, question_id: str) -> None:
        self._pending[question_id] = None
        if self.widgets[question_id].debounced:
            self._timer.start()
        else:
            self.flush()

    def _on_left(self, question_id: str) -> None:
        self._touched.add(question_id)
        self.flush()
        self._refresh()

    def flush(self) -> bool:
        """Save every pending edit now; False if a save failed (the edit stays pending and on screen)."""
        self._timer.stop()
        if not self._pending or self._read_only:
            return not self._pending
        moment: dt.datetime | None = None
        for question_id in list(self._pending):
            value = self.widgets[question_id].value()
            try:
                moment = self.binding.save(question_id, value)
            except Exception as error:  # noqa: BLE001 - any failure is shown; nothing typed is dropped
                self.save_failed.emit(_save_error_message(error))
                return False
            self._answers[question_id] = value
            del self._pending[question_id]
            moment = self._prefill(question_id) or moment
        self.saved.emit(moment)
        self._refresh()
        return True

    def _prefill(self, answered: str) -> dt.datetime | None:
        """Save and show what forms/ derives from `answered` (the SIREN of a SIRET) into empty fields."""
        moment = None
        for question_id, value in prefilled(self.binding.definition.rules, self._answers, answered).items():
            widget = self.widgets.get(question_id)
            if widget is None or question_id in self._pending or self._fixed(widget):
                continue
            try:
                moment = self.binding.save(question_id, value)
            except Exception:  # noqa: BLE001 - a suggestion only: the field stays empty, nothing typed is lost
                continue
            self._answers[question_id] = value
            widget.set_value(value)
        return moment

    def has_pending(self) -> bool:
        return bool(self._pending)

    # --- state ----------------------------------------------------------------------------

    def _fixed(self, widget: QuestionWidget) -> bool:
        """Never the partner's to change: filled by the Caf, or locked by its validation."""
        return widget.question.caf_only or widget.question.id in self._locked

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for widget in self.widgets.values():
            widget.set_read_only(read_only or self._fixed(widget))

    def set_locked(self, question_ids: frozenset[str], sentence: str) -> None:
        """The Caf validated the fiche Structure: these fields read-only, `sentence` on the pages holding them."""
        self._locked = question_ids
        for widget in self.widgets.values():
            widget.set_read_only(self._read_only or self._fixed(widget))
        for view in self.page_views:
            view.show_lock(sentence if any(q.id in question_ids for q in view.page.questions) else "")

    def reload(self) -> None:
        """Show the answers as stored now (e.g. after a Caf edit arrived)."""
        self._answers = self.binding.load()
        for widget in self.widgets.values():
            widget.set_value(self._answers.get(widget.question.id))
        self._refresh()

    def show_all_messages(self) -> None:
        """After an attempt to transmit: show every missing and invalid item, not only visited ones."""
        self._show_all = True
        self._refresh()

    def mark_notices(self, question_ids: frozenset[str]) -> None:
        """The pages holding these questions (open Caf notices) say so in the page list."""
        self._noticed = question_ids
        self._refresh()

    def show_notices(self, by_question: dict[str, list[str]], can_reply: frozenset[str] = frozenset()) -> None:
        """`can_reply`: the questions whose open notice the partner may answer now."""
        for question_id, widget in self.widgets.items():
            widget.show_notices(by_question.get(question_id, []), question_id in can_reply)

    def _shown(self, issue: Issue) -> bool:
        if self._show_all:
            return True
        return issue.code != REQUIRED and issue.question_id in self._touched

    def _refresh(self) -> None:
        self.evaluation = evaluate(self.binding.definition, self._answers)
        for view in self.page_views:
            view.show_visible(self.evaluation.visible)
        for question_id, widget in self.widgets.items():
            typed = widget.input_error() if question_id in self._touched else None
            shown = field_text([i for i in self.evaluation.issues_for(question_id) if self._shown(i)])
            if typed:
                widget.show_issue(typed)
            elif shown:
                widget.show_issue(*shown)
            else:
                widget.show_issue(None)
        for row, page in enumerate(self.binding.pages):
            progress = self.evaluation.page(page.id)
            item = self.navigator.item(row)
            state = _state_text(progress)
            if any(q.id in self._noticed for q in page.questions):
                state += " · remarque de la Caf"
            item.setText(f"{row + 1}. {page.title}\n{state}")
            item.setIcon(_dot(PROGRESS_COLOURS[progress.state]))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Page {row + 1} : {page.title}, {state}")
            item.setData(Qt.ItemDataRole.UserRole, progress.state.value)
        self.evaluated.emit(self.evaluation)


def _save_error_message(error: Exception) -> str:
    from forms.store import StoreError
    from forms.store.errors import StorageRefused

    if isinstance(error, StorageRefused):  # the disk, not the questionnaire: the edit waits, it is not refused
        return f"Enregistrement impossible : {error} Votre saisie reste affichée."
    if isinstance(error, StoreError):
        return f"Enregistrement refusé : {error}"
    text = str(error).lower()
    if "disk is full" in text or "no space" in text:
        return "Enregistrement impossible : le disque est plein. Libérez de la place ; votre saisie reste affichée."
    return "Enregistrement impossible pour le moment. Votre saisie reste affichée et sera enregistrée dès que possible."
