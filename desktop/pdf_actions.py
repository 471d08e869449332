"""Printing bilans from the GUI: one bilan to a file, to the printer (through the PDF viewer), the
transmission receipt, or every bilan into a folder. Rendering runs on the worker, never the GUI thread."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from desktop.tasks import TaskContext, TaskRunner
from forms.pdf import ExportError, bilan_from_store, export_all, render_bilan, render_receipt, safe_file_name
from forms.store import Store


class PdfActions(QObject):
    def __init__(self, parent: QWidget, store: Store, tasks: TaskRunner) -> None:
        super().__init__(parent)
        self.window = parent
        self.store = store
        self.tasks = tasks
        self.progress: QProgressDialog | None = None
        self._open_after: Path | None = None

    # --- one questionnaire -----------------------------------------------------------------

    def export_bilan(self, questionnaire_uuid: str) -> None:
        title = self.store.get(questionnaire_uuid).title
        path = self._ask_file("Exporter le bilan en PDF", f"Bilan Clas - {safe_file_name(title)}.pdf")
        if path is not None:
            self._render(questionnaire_uuid, path, receipt=False, open_after=False)

    def export_receipt(self, questionnaire_uuid: str) -> None:
        title = self.store.get(questionnaire_uuid).title
        path = self._ask_file(
            "Enregistrer l'accusé de transmission", f"Accusé de transmission - {safe_file_name(title)}.pdf"
        )
        if path is not None:
            self._render(questionnaire_uuid, path, receipt=True, open_after=False)

    def print_bilan(self, questionnaire_uuid: str) -> None:
        """Print through the system's PDF viewer: the file opens there, ready for its Print command."""
        folder = Path(tempfile.mkdtemp(prefix="bilan-clas-impression-"))
        title = self.store.get(questionnaire_uuid).title
        self._render(questionnaire_uuid, folder / f"{safe_file_name(title)}.pdf", receipt=False, open_after=True)

    def _ask_file(self, caption: str, name: str) -> Path | None:
        from desktop.file_dialogs import ask_save

        return ask_save(self.window, caption, Path.home() / name, "Documents PDF (*.pdf)", ".pdf")

    def _render(self, questionnaire_uuid: str, path: Path, *, receipt: bool, open_after: bool) -> None:
        def work(_context: TaskContext) -> Path:
            bilan = bilan_from_store(self.store, questionnaire_uuid)
            render = render_receipt if receipt else render_bilan
            render(path, bilan, generated_at=dt.datetime.now(dt.UTC))
            return path

        self._open_after = path if open_after else None
        self.tasks.run(work, on_success=self._on_rendered, on_failure=self._on_failed, lane="pdf")

    def _on_rendered(self, path: Any) -> None:
        if self._open_after is not None and QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._say("Le bilan s'ouvre dans votre lecteur PDF : imprimez-le depuis celui-ci (Fichier › Imprimer).")
        elif self._open_after is not None:
            self._say(f"Aucun lecteur PDF n'a pu s'ouvrir. Le bilan est enregistré ici ; imprimez ce fichier :\n{path}")
        else:
            self._saved(Path(path))

    def _saved(self, path: Path) -> None:
        """« PDF enregistré », with « Ouvrir le PDF » to look at it at once."""
        box = QMessageBox(QMessageBox.Icon.Information, "PDF", f"PDF enregistré :\n{path}", parent=self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        open_button = box.addButton("Ouvrir le PDF", QMessageBox.ButtonRole.ActionRole)
        box.addButton("Fermer", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is open_button and not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._say(f"Aucun lecteur PDF n'a pu s'ouvrir. Le bilan est enregistré ici :\n{path}")

    def _on_failed(self, error: Any) -> None:
        QMessageBox.warning(self.window, "PDF", f"Le PDF n'a pas pu être créé : {error}")

    def _say(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, "PDF", text, parent=self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()

    # --- every questionnaire ---------------------------------------------------------------

    def export_everything(self) -> None:
        from desktop.file_dialogs import ask_folder

        folder = ask_folder(self.window, "Dossier où enregistrer tous les bilans", Path.home())
        if folder is None:
            return
        self.progress = QProgressDialog("Création des bilans PDF…", "", 0, 0, self.window)
        self.progress.setCancelButton(None)
        self.progress.setWindowTitle("Exporter tous les bilans")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.show()

        def work(context: TaskContext) -> list[Path]:
            return export_all(self.store, Path(folder), on_progress=context.report)

        self.tasks.run(
            work,
            on_success=self._on_all_done,
            on_failure=self._on_all_failed,
            on_progress=self._on_progress,
            lane="pdf",
        )

    def _on_progress(self, done: int, total: int, _text: str) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)
            self.progress.setLabelText(f"Création des bilans PDF : {done} sur {total}")

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.close()
            self.progress = None

    def _on_all_done(self, paths: Any) -> None:
        self._close_progress()
        folder = Path(paths[0]).parent if paths else None
        self._say(f"{len(paths)} bilan(s) enregistré(s)" + (f" dans :\n{folder}" if folder else "."))

    def _on_all_failed(self, error: Any) -> None:
        self._close_progress()
        if isinstance(error, ExportError):
            QMessageBox.warning(self.window, "Exporter tous les bilans", str(error))
        else:
            self._on_failed(error)
