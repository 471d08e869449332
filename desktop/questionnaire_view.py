"""A questionnaire on screen: its header (title, status, last save), the Caf's notices, the form, Transmettre."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.bindings import QuestionnaireBinding
from desktop.fitting import ElidedLabel
from desktop.form_view import FormView
from desktop.theme import badge_style
from desktop.transmission_panel import TransmissionPanel
from forms.attachments import attachment_path, import_attachment
from forms.carry import carry_notes, mark_page_seen
from forms.evaluation import Issue
from forms.exchange import export_document
from forms.formatting import NBSP, quoted
from forms.overview import ShownNotice, questionnaire_state
from forms.points import HELD_LABEL, Point, as_points, issue_text, points
from forms.store import NotTransmittable, Store, StoreError
from forms.store.outbox import Outbox
from forms.store.remote import Remote
from forms.store.replies import Replies

if TYPE_CHECKING:
    from desktop.pdf_actions import PdfActions


REMEMBER_PAGE_MS = 1000
"""The page shown is remembered (for the next opening) this long after the last page change, or on closing."""


class QuestionnaireView(QWidget):
    status_changed = Signal(str)
    """The questionnaire's status changed (e.g. transmitted); carries its uuid."""
    sync_requested = Signal()
    """The user asked for something that needs a sync now (Réessayer)."""
    login_requested = Signal()
    """« Se connecter… » in the banner of a questionnaire waiting to be sent while nobody is logged in."""
    renamed = Signal(str)
    """The action was renamed; carries the new title."""

    def __init__(
        self, binding: QuestionnaireBinding, pdf: PdfActions | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.binding = binding
        self.pdf = pdf
        self.uuid = binding.uuid
        self.problems: ProblemsDialog | None = None

        self.title_label = ElidedLabel()  # any length of title: cut with « … », in full in its tooltip
        self.title_label.setProperty("role", "page-title")
        self.status_badge = QLabel()
        self.status_badge.setAccessibleName("Statut du questionnaire")
        self.campaign_label = QLabel()  # « Campagne ouverte jusqu'au … », from the partner's Caf window
        self.campaign_label.setAccessibleName("Dates de la campagne")
        self.saved_label = QLabel()
        self.saved_label.setProperty("role", "saved")
        self.saved_label.setAccessibleName("État de l'enregistrement")
        self.saved_label.setWordWrap(False)  # one line: « Enregistré le 02/12/2026 à 18:38 » is short enough
        self.transmit_button = QPushButton("&Transmettre à la Caf…")  # Alt+T: reachable without the mouse
        self.transmit_button.setObjectName("primary")
        self.transmit_button.setToolTip("Vérifie le questionnaire, puis le place dans la file d'envoi (Alt+T)")
        self.transmit_button.clicked.connect(self.request_transmit)
        self.pdf_button = QToolButton()
        self.pdf_button.setText("PDF")
        self.pdf_button.setToolTip("Exporter ou imprimer le bilan")
        self.pdf_button.setAccessibleName("Bilan PDF")
        self.pdf_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.pdf_button)
        menu.addAction("Exporter le bilan en PDF…", self._export_pdf)
        menu.addAction("Imprimer le bilan…", self._print_pdf)
        self.receipt_action = menu.addAction("Accusé de transmission (PDF)…", self._export_receipt)
        self.pdf_button.setMenu(menu)
        self.pdf_button.setVisible(pdf is not None)
        self.rename_button = QToolButton()
        self.rename_button.setText("Renommer…")
        self.rename_button.setToolTip("Corriger le nom de l'action")
        self.rename_button.setAccessibleName("Renommer l'action")
        self.rename_button.clicked.connect(self.rename)
        self.complete_label = QLabel("Tout est complet : vous pouvez transmettre.")
        self.complete_label.setProperty("role", "saved")
        self.complete_label.setWordWrap(True)  # on two lines rather than widening a small window
        self.complete_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.complete_label.hide()
        # The title on its own line, the status and the actions under it: nothing is pushed off-screen.
        actions = QHBoxLayout()
        actions.addWidget(self.status_badge)
        actions.addWidget(self.saved_label)
        actions.addWidget(self.complete_label, 1)
        actions.addStretch(0)  # a read-only questionnaire: the chip keeps its size, not the whole row
        actions.addWidget(self.pdf_button)
        actions.addWidget(self.transmit_button)
        header = QVBoxLayout()
        header.setSpacing(4)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.rename_button)
        header.addLayout(title_row)
        header.addLayout(actions)
        self.transmission = TransmissionPanel()
        self.transmission.retry_requested.connect(self._on_retry)
        self.transmission.export_requested.connect(self._on_export_file)
        self.transmission.withdraw_requested.connect(self._on_withdraw)
        self.transmission.resolve_requested.connect(self._on_resolve)

        self.info_banner = QLabel()
        self.info_banner.setWordWrap(True)
        self.info_banner.setProperty("role", "help-text")
        self.login_banner = QFrame()
        self.login_banner.setProperty("role", "question-card")
        login_layout = QHBoxLayout(self.login_banner)
        login_text = QLabel(
            "Vous n'êtes pas connecté au serveur de la Caf : rien ne partira tant que vous ne vous serez pas "
            "connecté. Tout reste enregistré sur cet ordinateur."
        )
        login_text.setWordWrap(True)
        self.login_button = QPushButton("Se connecter…")
        self.login_button.clicked.connect(self.login_requested)
        login_layout.addWidget(login_text, 1)
        login_layout.addWidget(self.login_button)
        self.login_banner.hide()
        self._connected = True
        self._waiting = False
        self.error_banner = QLabel()
        self.error_banner.setWordWrap(True)
        self.error_banner.setProperty("role", "error")
        self.error_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.error_banner.hide()

        self.notices_panel = QFrame()
        self.notices_panel.setProperty("role", "question-card")
        notices_layout = QVBoxLayout(self.notices_panel)
        notices_title = QLabel("Remarques de la Caf")
        notices_title.setProperty("role", "section")
        self.notices_list = QListWidget()
        self.notices_list.setAccessibleName("Remarques de la Caf")
        self.notices_list.setWordWrap(True)
        self.notices_list.setMaximumHeight(140)
        self.notices_list.itemActivated.connect(self._on_notice_activated)
        self.notices_list.currentRowChanged.connect(self._on_notice_selected)
        self.reply_button = QPushButton("Répondre…")
        self.reply_button.setToolTip("Répondre à la remarque sélectionnée (envoyée à la prochaine synchronisation)")
        self.reply_button.setAccessibleName("Répondre à la remarque sélectionnée")
        self.reply_button.clicked.connect(self._on_reply_selected)
        self._notices: list[ShownNotice] = []
        self._can_reply = False
        notices_hint = QLabel("Double-cliquez sur une remarque (ou appuyez sur Entrée) pour aller à la question.")
        notices_hint.setProperty("role", "help-text")
        notices_layout.addWidget(notices_title)
        notices_layout.addWidget(notices_hint)
        notices_layout.addWidget(self.notices_list)
        notices_layout.addWidget(self.reply_button, 0, Qt.AlignmentFlag.AlignLeft)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.addLayout(header)
        layout.addWidget(self.campaign_label)  # its own line: the header keeps its width
        layout.addWidget(self.info_banner)
        self.carry_banner = QLabel()  # pages carried from last year « à vérifier », archived answers
        self.carry_banner.setWordWrap(True)
        self.carry_banner.setProperty("role", "help-text")
        self.carry_banner.setTextFormat(Qt.TextFormat.PlainText)
        self.carry_banner.setAccessibleName("Reprise et réponses archivées")
        layout.addWidget(self.carry_banner)
        layout.addWidget(self.login_banner)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.transmission)
        layout.addWidget(self.notices_panel)
        # Made here, inside this view (after the header, in Tab order): not restyled again when added.
        self.form = FormView(binding, _Attachments(binding.store), self)
        layout.addWidget(self.form, 1)

        self.form.saved.connect(self._on_saved)
        self.form.finish_requested.connect(self.request_transmit)
        self.form.evaluated.connect(self._on_evaluated)
        self.form.save_failed.connect(self._on_save_failed)
        self._page_timer = QTimer(self)
        self._page_timer.setSingleShot(True)
        self._page_timer.setInterval(REMEMBER_PAGE_MS)
        self._page_timer.timeout.connect(self._remember_page)
        self.form.page_changed.connect(self._on_page_changed)
        self.form.reply_requested.connect(self._on_reply_to_question)
        self.refresh()
        info = binding.info()
        self._remembered_page = info.current_page
        self.saved_label.setText(f"Enregistré le {info.updated_at.astimezone():%d/%m/%Y à %H:%M}")
        if info.current_page:
            self.form.go_to_page(info.current_page)

    # --- status and notices -----------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read status, title and notices from the store (after a transmission or a sync)."""
        state = questionnaire_state(self.binding.store, self.uuid)
        self.title_label.setText(state.info.title)
        self.status_badge.setText(state.badge.label)
        self.status_badge.setStyleSheet(badge_style(state.badge))
        self.form.set_read_only(not state.editable)
        lock = self.binding.structure_lock()
        self.form.set_locked(lock.question_ids if lock else frozenset(), lock.sentence() if lock else "")
        self.transmit_button.setVisible(state.can_transmit)
        self.campaign_label.setText(state.campaign)
        self.campaign_label.setVisible(bool(state.campaign))
        self._transmit_warning = state.transmit_warning
        self.form.set_can_finish(state.can_transmit)
        self.saved_label.setVisible(state.editable)  # a locked questionnaire claims no « Enregistré à »
        self.rename_button.setVisible(state.editable)
        self._waiting = Outbox(self.binding.store).will_send(self.uuid)
        self._show_login_banner()
        self._on_evaluated(self.form.evaluation)
        self.info_banner.setText(state.explanation)
        self.info_banner.setVisible(bool(state.explanation))
        self._show_carry_notes()
        by_question: dict[str, list[str]] = {}
        row = self.notices_list.currentRow()
        self.notices_list.clear()
        self._notices = list(state.notices)
        self._can_reply = state.can_reply
        for notice in state.notices:
            replies = [r.line for r in notice.replies]
            if notice.question_id:
                by_question.setdefault(notice.question_id, []).extend([notice.under_field, *replies])
            where = self._question_label(notice.question_id) if notice.question_id else "Remarque générale"
            item = QListWidgetItem("\n".join([f"{notice.prefix}{where} : {notice.message} {notice.signed}", *replies]))
            item.setData(Qt.ItemDataRole.UserRole, notice.question_id)
            self.notices_list.addItem(item)
        self.notices_panel.setVisible(bool(state.notices))
        replyable = {n.question_id for n in state.open_notices if n.question_id and state.can_reply}
        self.form.show_notices(by_question, frozenset(replyable))
        self.form.mark_notices(state.pages_with_notices)
        if 0 <= row < self.notices_list.count():
            self.notices_list.setCurrentRow(row)
        self._on_notice_selected(self.notices_list.currentRow())
        self.transmission.show_state(state.failure, state.conflicts)
        rows = self.notices_list.count()
        height = sum(self.notices_list.sizeHintForRow(r) for r in range(rows))
        self.notices_list.setFixedHeight(min(140, 8 + height))
        self.receipt_action.setEnabled(state.receipt is not None)

    def set_connected(self, connected: bool) -> None:
        """Whether someone is logged in: a questionnaire waiting to be sent says when nobody is."""
        self._connected = connected
        self._show_login_banner()

    def _show_login_banner(self) -> None:
        self.login_banner.setVisible(self._waiting and not self._connected)

    def _on_evaluated(self, evaluation: object) -> None:
        transmittable = bool(getattr(evaluation, "transmittable", False))
        self.complete_label.setVisible(transmittable and self.transmit_button.isVisibleTo(self))

    def rename(self) -> None:
        title, ok = QInputDialog.getText(self, "Renommer l'action", "Nom de l'action :", text=self.binding.info().title)
        if not ok or not title.strip():
            return
        try:
            self.binding.store.rename(self.uuid, title)
        except StoreError as error:
            QMessageBox.warning(self, "Renommer l'action", str(error))
            return
        self.refresh()
        self.renamed.emit(self.binding.info().title)

    def refresh_from_store(self) -> None:
        """After a sync: status, notices and, unless the user is typing, answers the Caf may have changed."""
        if not self.form.has_pending():
            self.form.reload()
        self.refresh()

    # --- after a refused transmission, or a Caf edit --------------------------------------

    def _on_retry(self) -> None:
        Outbox(self.binding.store).retry(self.uuid)
        self.refresh()
        self.sync_requested.emit()

    def _on_withdraw(self) -> None:
        answer = QMessageBox.question(
            self,
            "Reprendre la saisie",
            "Annuler cet envoi et rendre le questionnaire modifiable ? L'envoi refusé reste dans l'historique ; "
            "vous pourrez transmettre de nouveau après correction.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        Outbox(self.binding.store).withdraw(self.uuid)
        self.refresh()
        self.status_changed.emit(self.uuid)

    def _on_export_file(self) -> None:
        from desktop.file_dialogs import ask_save

        default = Path.home() / f"{self.binding.info().title}.json"
        chosen = ask_save(self, "Exporter le questionnaire", default, "Fichier Bilan Clas (*.json)", ".json")
        if chosen is None:
            return
        document = export_document(self.binding.store, self.uuid)
        try:
            Path(chosen).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        except OSError as error:
            QMessageBox.warning(self, "Exporter", f"Écriture impossible : {error.strerror}.")

    def _on_resolve(self) -> None:
        from desktop.sync_dialogs import ConflictDialog

        remote = Remote(self.binding.store)
        dialog = ConflictDialog(self.binding.definition, remote.conflicts(self.uuid), self)
        if not dialog.exec():
            return
        self.form.flush()
        for question_id, take in dialog.choices().items():
            remote.resolve(self.uuid, question_id, take)
        self.form.reload()
        self.refresh()

    # --- PDF --------------------------------------------------------------------------------

    def _export_pdf(self) -> None:
        if self.pdf is not None and self.form.flush():
            self.pdf.export_bilan(self.uuid)

    def _print_pdf(self) -> None:
        if self.pdf is not None and self.form.flush():
            self.pdf.print_bilan(self.uuid)

    def _export_receipt(self) -> None:
        if self.pdf is not None:
            self.pdf.export_receipt(self.uuid)

    def _question_label(self, question_id: str) -> str:
        try:
            return self.binding.definition.question(question_id).label
        except KeyError:
            return "Remarque générale"

    # --- replies to the Caf's notices ----------------------------------------------------------

    def _on_notice_selected(self, row: int) -> None:
        chosen = self._notices[row] if 0 <= row < len(self._notices) else None
        self.reply_button.setVisible(self._can_reply)
        self.reply_button.setEnabled(chosen is not None and not chosen.resolved)

    def _on_reply_selected(self) -> None:
        row = self.notices_list.currentRow()
        if 0 <= row < len(self._notices):
            self.reply_to(self._notices[row])

    def _on_reply_to_question(self, question_id: str) -> None:
        open_here = [n for n in self._notices if n.question_id == question_id and not n.resolved]
        if open_here:
            self.reply_to(open_here[-1])

    def reply_to(self, notice: ShownNotice) -> None:
        """Ask for the reply, queue it in the store, and ask for a sync (it is sent after the versions)."""
        from desktop.reply_dialog import ReplyDialog

        where = self._question_label(notice.question_id) if notice.question_id else "Remarque générale"
        dialog = ReplyDialog(where, notice.message, self)
        if not dialog.exec():
            return
        try:
            Replies(self.binding.store).add(notice.notice_id, dialog.text())
        except StoreError as error:
            QMessageBox.warning(self, "Répondre à la Caf", str(error))
            return
        self.refresh()
        self.sync_requested.emit()

    def _on_notice_activated(self, item: QListWidgetItem) -> None:
        question_id = item.data(Qt.ItemDataRole.UserRole)
        if question_id and question_id in self.form.widgets:
            self.form.focus_question(question_id)

    # --- saving -----------------------------------------------------------------------------

    def _on_saved(self, moment: dt.datetime | None) -> None:
        self.error_banner.hide()
        local = (moment or dt.datetime.now(dt.UTC)).astimezone()
        self.saved_label.setText(f"Enregistré à {local:%H:%M:%S}")

    def _on_save_failed(self, message: str) -> None:
        self.error_banner.setText(message)
        self.error_banner.show()
        self.saved_label.setText("Non enregistré")

    def _on_page_changed(self, _page_id: str) -> None:
        # Written a moment later, not during the switch: a durable write (fsync) there made a busy
        # disk's latency the page switch's. Killed within the second, only the page is forgotten.
        self._page_timer.start()

    def _show_carry_notes(self) -> None:
        notes = carry_notes(self.binding.store, self.uuid)
        self.carry_banner.setText(notes)
        self.carry_banner.setVisible(bool(notes))

    def _remember_page(self) -> None:
        self._page_timer.stop()
        page_id = self.form.current_page_id()
        try:
            if mark_page_seen(self.binding.store, self.uuid, page_id):  # looked at: no longer « à vérifier »
                self._show_carry_notes()
        except Exception:  # noqa: BLE001 - a comfort, like remembering the page
            pass
        if page_id == self._remembered_page:
            return
        try:
            self.binding.remember_page(page_id)
        except Exception:  # noqa: BLE001 - remembering the page is a comfort, never a reason to interrupt
            return
        self._remembered_page = page_id

    def close_view(self) -> bool:
        """Flush pending edits before the view goes away; False if something could not be saved."""
        if self._page_timer.isActive():
            self._remember_page()
        return self.form.flush()

    # --- transmission -----------------------------------------------------------------------

    def request_transmit(self) -> None:
        if not self.form.flush():
            return
        evaluation = self.form.evaluation
        if not evaluation.transmittable:
            self.form.show_all_messages()
            if self.problems is not None:
                self.problems.close()
            # Not modal: it stays open beside the form while the user goes from point to point.
            self.problems = ProblemsDialog(self.binding, points(self.binding.definition, evaluation), self)
            self.problems.jump_requested.connect(self.form.focus_question)
            self.problems.setModal(False)
            self.problems.show()
            return
        if self.problems is not None:
            self.problems.close()
        advice = "".join(f"\n• {issue_text(i.message, i.source)}" for i in evaluation.advice)
        text = (
            f"Transmettre {quoted(self.binding.info().title)}{NBSP}à la Caf{NBSP}?\n\n"
            "Après transmission, le questionnaire ne peut plus être modifié, sauf si la Caf vous le renvoie "
            "pour correction. Il partira à la prochaine synchronisation."
        )
        if advice:
            text += f"\n\nConseils du référentiel (non bloquants) :{advice}"
        warning = self._transmit_warning  # the campaign is closed (or not open yet) for this partner's Caf
        if warning:
            text = f"Attention : {warning}\n\n{text}"
        icon = QMessageBox.Icon.Warning if warning else QMessageBox.Icon.Question
        box = QMessageBox(icon, "Transmettre à la Caf", text, parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)
        confirm = box.addButton("Transmettre", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(confirm)  # Entrée transmits; Échap cancels
        box.exec()
        if box.clickedButton() is not confirm:
            return
        try:
            self.binding.store.transmit(self.uuid)
        except NotTransmittable as refusal:
            ProblemsDialog(self.binding, points(self.binding.definition, refusal.evaluation), self).exec()
            return
        except StoreError as error:
            QMessageBox.warning(self, "Transmettre à la Caf", str(error))
            return
        self.refresh()
        self.status_changed.emit(self.uuid)


class _Attachments:
    """Attach a document (copied into the data folder), and a copy under its own name to open it."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def __call__(self, path: Path) -> dict[str, Any]:
        return import_attachment(self.store, path)

    def readable_copy(self, value: dict[str, Any]) -> Path:
        """The stored file is named by its hash: a viewer gets a copy with the document's own name."""
        folder = Path(tempfile.mkdtemp(prefix="bilan-clas-document-"))
        target = folder / Path(str(value.get("name") or "document")).name
        shutil.copyfile(attachment_path(self.store, str(value["sha256"])), target)
        return target


class ProblemsDialog(QDialog):
    """The points to see: what prevents transmission, then the référentiel's advice with its source.
    Each item jumps to its field."""

    jump_requested = Signal(str)
    """The user chose an item; carries the question id."""

    def __init__(
        self, binding: QuestionnaireBinding, found: list[Point] | list[Issue], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        found = [p for p in found if isinstance(p, Point)] + as_points(
            binding.definition, [i for i in found if isinstance(i, Issue)]
        )
        self.setWindowTitle("Avant de transmettre")
        self.resize(680, 500)
        problems = [p for p in found if p.severity == "error"]
        advice = len(found) - len(problems)
        more = (
            f" et {advice} conseil{'s' if advice > 1 else ''} du référentiel (non bloquant{'s' if advice > 1 else ''})"
            if advice
            else ""
        )
        intro = QLabel(
            f"Il reste {len(problems)} point{'s' if len(problems) > 1 else ''} à compléter ou corriger{more}. "
            "Double-cliquez sur un point (ou appuyez sur Entrée) pour aller à la question ; cette liste reste "
            "ouverte à côté du questionnaire."
        )
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setAccessibleName("Points à compléter ou corriger")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)  # one point from the next at a glance
        lock = binding.structure_lock()
        for point in found:
            text = point.text.replace("\n", "\n    ")
            prefix = "Conseil du référentiel · " if point.severity == "advice" else ""
            if lock is not None and point.question_id in lock.question_ids:  # not the partner's to change
                prefix = f"{HELD_LABEL} · "
            item = QListWidgetItem(f"{prefix}{point.where}\n    {text}")
            item.setData(Qt.ItemDataRole.UserRole, point.question_id)
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(self._on_activated)
        buttons = QDialogButtonBox()
        go = buttons.addButton("Aller à la question", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        go.clicked.connect(self._on_go)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)

    def _on_go(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self._on_activated(item)

    def _on_activated(self, item: QListWidgetItem) -> None:
        # The list stays open: the next point is one double-click away (close it with « Fermer »).
        self.jump_requested.emit(item.data(Qt.ItemDataRole.UserRole))
