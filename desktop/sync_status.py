"""The sync corner of the status bar: online or offline, the last sync, a progress bar with Annuler."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from desktop.sync_controller import SyncController


class SyncStatus(QWidget):
    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.indicator = QLabel()
        self.indicator.setAccessibleName("État de la connexion")
        self.last = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(260)
        self.bar.setAccessibleName("Progression de la synchronisation")
        self.cancel = QPushButton("Annuler")
        self.cancel.clicked.connect(controller.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.bar, self.cancel, self.last, self.indicator):
            layout.addWidget(widget)
        controller.online_changed.connect(self._on_online)
        controller.busy_changed.connect(self._on_busy)
        controller.progressed.connect(self._on_progress)
        controller.synced.connect(self._on_synced)
        self._on_busy(False)
        self._on_online(controller.online)
        self._show_last()

    def _on_online(self, online: object) -> None:
        if online is None:
            text, colour = "Non connecté au serveur", "#6b7280"
        elif online:
            text, colour = "En ligne", "#2e7d32"
        else:
            text, colour = "Hors ligne — tout reste enregistré ici", "#b45309"
        self.indicator.setText(f"<span style='color:{colour}'>●</span> {text}")

    def _on_busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.cancel.setVisible(busy)
        if busy:
            self.bar.setRange(0, 0)
            self.bar.setFormat("Synchronisation…")

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if total:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        self.bar.setFormat(text or f"{done} / {total}")
        self.bar.setToolTip(text)

    def _on_synced(self, _result: object) -> None:
        self._show_last()

    def _show_last(self) -> None:
        last = self.controller.last_sync()
        self.last.setText(
            f"Dernière synchronisation : {last.astimezone():%d/%m/%Y à %H:%M}" if isinstance(last, dt.datetime) else ""
        )
