"""Mes indicateurs: a small bar chart per figure across campaigns, its table beside it.

The charts are painted with QPainter (a few rectangles): QtCharts would add PySide6-Addons to the
bundle for eight bar charts. Screen readers read the tables; the chart is described in words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QLabel,
    QMessageBox,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from forms.indicators import FIGURES, CampaignIndicators, format_value, indicators, organisation_of
from forms.store import Store

SENT, DRAFT = QColor("#1f4e79"), QColor("#e8eef5")


class BarChart(QWidget):
    """Sent figures as filled bars, drafts as light bars beside them, one pair per campaign."""

    def __init__(self, key: str, campaigns: list[CampaignIndicators], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.bars = [(c.school_year, c.sent.value(key) or 0, c.drafts.value(key) or 0) for c in campaigns]
        self.setMinimumSize(QSize(260, 110))
        self.setAccessibleName(f"Graphique : {dict((k, label) for k, label, _ in FIGURES)[key]}")
        self.setAccessibleDescription(
            "; ".join(f"{year} : {format_value(key, sent)}" for year, sent, _ in self.bars)
            + " (détail dans le tableau)"
        )

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        top = max([1.0] + [max(s, d) for _, s, d in self.bars])
        width, height = self.width(), self.height() - 18
        slot = width / max(1, len(self.bars))
        for index, (year, sent, draft) in enumerate(self.bars):
            x = index * slot + slot * 0.15
            bar = slot * 0.33
            for offset, value, colour in ((0.0, sent, SENT), (bar, draft, DRAFT)):
                h = height * value / top
                painter.fillRect(QRectF(x + offset, height - h, bar, h), colour)
                painter.setPen(SENT)
                painter.drawRect(QRectF(x + offset, height - h, bar, h))
            painter.drawText(QRectF(index * slot, height + 2, slot, 16), Qt.AlignmentFlag.AlignCenter, year)
        painter.end()


def figure_table(key: str, campaigns: list[CampaignIndicators]) -> QTableWidget:
    table = QTableWidget(len(campaigns), 3)
    table.setHorizontalHeaderLabels(["Campagne", "Transmis", "Brouillons"])
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for row, c in enumerate(campaigns):
        for column, text in enumerate(
            (c.school_year, format_value(key, c.sent.value(key)), format_value(key, c.drafts.value(key)))
        ):
            table.setItem(row, column, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.setFixedHeight(table.horizontalHeader().height() + 8 + sum(table.rowHeight(r) for r in range(len(campaigns))))
    return table


class IndicatorsDialog(QDialog):
    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mes indicateurs")
        self.store = store
        self.campaigns = indicators(store)
        self.tables: dict[str, QTableWidget] = {}
        self.charts: dict[str, BarChart] = {}
        intro = QLabel(
            "Vos chiffres par campagne, sommes de vos questionnaires : « Transmis » (envoyés à la Caf ou prêts "
            "à partir) en bleu foncé, « Brouillons » (encore en saisie) en clair, comptés à part."
        )
        intro.setWordWrap(True)
        grid = QGridLayout()
        content = QWidget()
        content.setLayout(grid)
        if not self.campaigns:
            grid.addWidget(QLabel("Aucun questionnaire pour l'instant : pas encore d'indicateurs."), 0, 0)
        for row, (key, label, _) in enumerate(FIGURES):
            heading = QLabel(label)
            heading.setProperty("role", "section")
            self.charts[key] = BarChart(key, self.campaigns)
            self.tables[key] = figure_table(key, self.campaigns)
            self.tables[key].setAccessibleName(f"Tableau : {label}")
            grid.addWidget(heading, 2 * row, 0, 1, 2)
            grid.addWidget(self.charts[key], 2 * row + 1, 0)
            grid.addWidget(self.tables[key], 2 * row + 1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.pdf_button = buttons.addButton("Enregistrer la page PDF…", QDialogButtonBox.ButtonRole.ActionRole)
        self.pdf_button.clicked.connect(self.export_pdf)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        self.resize(760, 640)

    def export_pdf(self, path: str | None = None) -> Path | None:
        from forms.pdf.export import os_error_message
        from forms.pdf.indicators import render_indicators

        chosen = (
            path
            or QFileDialog.getSaveFileName(self, "Enregistrer les indicateurs", "Indicateurs.pdf", "PDF (*.pdf)")[0]
        )
        if not chosen:
            return None
        try:
            render_indicators(
                Path(chosen),
                self.campaigns,
                organisation=organisation_of(self.store),
                generated_at=dt.datetime.now().astimezone(),
            )
        except OSError as error:
            QMessageBox.warning(self, "Mes indicateurs", f"Écriture impossible : {os_error_message(error)}.")
            return None
        return Path(chosen)
