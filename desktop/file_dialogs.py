"""Qt's own file dialogs, entirely in French (qtbase_fr lacks « Look in: » and « Files of type: »)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

_LABELS = {
    QFileDialog.DialogLabel.LookIn: "Voir dans :",
    QFileDialog.DialogLabel.FileName: "Nom du fichier :",
    QFileDialog.DialogLabel.FileType: "Types de fichiers :",
    QFileDialog.DialogLabel.Reject: "Annuler",
}


def french_dialog(parent: QWidget | None, caption: str, start: Path, name_filter: str, accept: str) -> QFileDialog:
    dialog = QFileDialog(parent, caption, str(start), name_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the same French dialog on every desktop
    for label, text in (_LABELS | {QFileDialog.DialogLabel.Accept: accept}).items():
        dialog.setLabelText(label, text)
    return dialog


def ask_save(parent: QWidget | None, caption: str, start: Path, name_filter: str, suffix: str) -> Path | None:
    """A file to write; `suffix` (".pdf") added when the name typed has none."""
    dialog = french_dialog(parent, caption, start, name_filter, "Enregistrer")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setDefaultSuffix(suffix.lstrip("."))
    if not dialog.exec() or not dialog.selectedFiles():
        return None
    chosen = dialog.selectedFiles()[0]
    return Path(chosen if chosen.lower().endswith(suffix) else chosen + suffix)


def ask_open(parent: QWidget | None, caption: str, start: Path, name_filter: str) -> Path | None:
    dialog = french_dialog(parent, caption, start, name_filter, "Ouvrir")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    if not dialog.exec() or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])


def ask_folder(parent: QWidget | None, caption: str, start: Path) -> Path | None:
    dialog = french_dialog(parent, caption, start, "", "Choisir")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    if not dialog.exec() or not dialog.selectedFiles():
        return None
    return Path(dialog.selectedFiles()[0])
