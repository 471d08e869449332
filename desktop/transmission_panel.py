"""Banners under a questionnaire's header: a refused transmission (Échec d'envoi), choices to make after a
Caf edit. Each offers what the user can do about it; the questionnaire view carries the actions out."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from forms.overview import Failure


class TransmissionPanel(QWidget):
    retry_requested = Signal()
    """« Réessayer » the refused transmission (same key, same body)."""
    export_requested = Signal()
    """« Exporter… » the questionnaire to a file, to hand it over another way."""
    withdraw_requested = Signal()
    """« Reprendre la saisie »: cancel the refused transmission and edit again."""
    resolve_requested = Signal()
    """Open the choice between the Caf's values and mine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.failure_box = QFrame()
        self.failure_box.setProperty("role", "question-card")
        self.failure_box.setProperty("state", "error")
        self.failure_label = QLabel()
        self.failure_label.setWordWrap(True)
        self.failure_label.setTextFormat(Qt.TextFormat.PlainText)
        retry = QPushButton("Réessayer")
        export = QPushButton("Exporter…")
        withdraw = QPushButton("Reprendre la saisie")
        retry.setToolTip("Renvoie le même questionnaire à la prochaine synchronisation")
        export.setToolTip("Enregistre le questionnaire dans un fichier, pour le transmettre autrement")
        withdraw.setToolTip("Annule cet envoi (il reste dans l'historique) et rend le questionnaire modifiable")
        retry.clicked.connect(self.retry_requested)
        export.clicked.connect(self.export_requested)
        withdraw.clicked.connect(self.withdraw_requested)
        failure_buttons = QHBoxLayout()
        for button in (retry, export, withdraw):
            failure_buttons.addWidget(button)
        failure_buttons.addStretch(1)
        failure_layout = QVBoxLayout(self.failure_box)
        failure_layout.addWidget(self.failure_label)
        failure_layout.addLayout(failure_buttons)

        self.conflict_box = QFrame()
        self.conflict_box.setProperty("role", "question-card")
        self.conflict_label = QLabel()
        self.conflict_label.setWordWrap(True)
        choose = QPushButton("Choisir les valeurs…")
        choose.clicked.connect(self.resolve_requested)
        conflict_layout = QHBoxLayout(self.conflict_box)
        conflict_layout.addWidget(self.conflict_label, 1)
        conflict_layout.addWidget(choose)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.failure_box)
        layout.addWidget(self.conflict_box)
        self.show_state(None, 0)

    def show_state(self, failure: Failure | None, conflicts: int) -> None:
        if failure is not None:
            self.failure_label.setText(
                f"Échec d'envoi : {failure.message}\n"
                "Le questionnaire est conservé sur cet ordinateur. Vous pouvez réessayer (par exemple après un échange "
                "avec votre Caf), l'exporter dans un fichier, ou reprendre la saisie pour le corriger."
            )
        self.failure_box.setVisible(failure is not None)
        if conflicts:
            self.conflict_label.setText(
                f"La Caf a modifié {conflicts} réponse{'s' if conflicts > 1 else ''} que vous aviez aussi "
                f"modifiée{'s' if conflicts > 1 else ''} : choisissez la valeur à garder avant de transmettre."
            )
        self.conflict_box.setVisible(bool(conflicts))
        self.setVisible(failure is not None or bool(conflicts))
