"""Fichier › Restaurer une sauvegarde…, and the offer to restore when the data file is damaged.

The dialogs only show what forms/store/backups.py lists and does; the main window closes its
store before a restore and reopens it after.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from forms.store import backups

NONE_TEXT = "Aucune sauvegarde n'a encore été faite sur cet ordinateur."


class RestoreDialog(QDialog):
    """The backups, newest first, with their date and what they hold; *Restaurer* the chosen one."""

    def __init__(self, db_path: Path, parent: QWidget | None = None, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Restaurer une sauvegarde")
        self.resize(640, 360)
        self.infos = backups.list_backups(db_path)
        layout = QVBoxLayout(self)
        text = intro or (
            "Choisissez la sauvegarde à remettre en place. Les données actuelles sont gardées de côté, jamais effacées."
        )
        label = QLabel(text)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.list = QListWidget()
        for info in self.infos:
            item = QListWidgetItem(info.describe())
            item.setToolTip(str(info.path))
            self.list.addItem(item)
        layout.addWidget(self.list)
        if not self.infos:
            layout.addWidget(QLabel(NONE_TEXT))
        self.buttons = QDialogButtonBox()
        self.restore_button = self.buttons.addButton("Restaurer", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        healthy = next((n for n, info in enumerate(self.infos) if info.healthy), None)
        if healthy is not None:
            self.list.setCurrentRow(healthy)  # the newest healthy one is offered first
        self.restore_button.setEnabled(healthy is not None)
        self.list.currentRowChanged.connect(self._on_row)

    def _on_row(self, row: int) -> None:
        self.restore_button.setEnabled(0 <= row < len(self.infos) and self.infos[row].healthy)

    def chosen(self) -> Path | None:
        row = self.list.currentRow()
        return self.infos[row].path if 0 <= row < len(self.infos) and self.infos[row].healthy else None


def restore_chosen(parent: QWidget, db_path: Path, backup: Path) -> bool:
    """Restore `backup` (the store must be closed) and tell what happened, in French; True if restored."""
    salvaged = backups.salvage(db_path) if db_path.is_file() else {}
    try:
        aside = backups.restore(db_path, backup)
    except backups.BackupError as error:
        QMessageBox.critical(parent, "Restaurer une sauvegarde", str(error))
        return False
    lines = [f"La sauvegarde du {backups.describe(db_path).describe()} est restaurée."]
    if aside is not None:
        lines.append(f"Les données remplacées sont gardées de côté :\n{aside}")
    missing = backups.lacking(salvaged, db_path)
    box = QMessageBox(QMessageBox.Icon.Information, "Restaurer une sauvegarde", "\n\n".join(lines), parent=parent)
    if missing:
        box.setInformativeText(
            f"{len(missing)} questionnaire(s) de l'ancien fichier ne sont pas à jour dans la sauvegarde : "
            "voyez le détail, et ressaisissez-y ce qui manque."
        )
        box.setDetailedText("\n".join(missing))
    box.exec()
    return True


def offer_restore_after_damage(parent: QWidget, db_path: Path, message: str) -> bool:
    """At start, the data file is damaged: say so and offer the newest healthy backup; True if restored."""
    newest = backups.newest_healthy(db_path)
    if newest is None:
        QMessageBox.critical(
            parent,
            "Données endommagées",
            f"{message}\n\nAucune sauvegarde saine n'est disponible : gardez ce fichier et contactez l'assistance.",
        )
        return False
    dialog = RestoreDialog(
        db_path,
        parent,
        intro=f"{message}\n\nLa sauvegarde saine la plus récente est proposée ci-dessous.",
    )
    dialog.setWindowTitle("Données endommagées")
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    chosen = dialog.chosen()
    return chosen is not None and restore_chosen(parent, db_path, chosen)
