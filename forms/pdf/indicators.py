"""The « Indicateurs » page: the partner's figures per campaign, for the board.

One bar chart per figure, drawn with reportlab's own charts (already the PDF library: nothing added
to the bundle), with its table beside it so that the figures are readable without the chart.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import BinaryIO

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table

from forms.formatting import escape, french_datetime
from forms.indicators import FIGURES, CampaignIndicators, format_value
from forms.pdf.document import PageFurniture, build_pdf
from forms.pdf.fonts import REGULAR
from forms.pdf.styles import ACCENT, ACCENT_TINT, FRAME_WIDTH, RULE, TINT, Styles, make_styles, table_style

CHART_WIDTH = 72 * mm
CHART_HEIGHT = 24 * mm


def _chart(key: str, campaigns: list[CampaignIndicators]) -> Drawing:
    drawing = Drawing(CHART_WIDTH, CHART_HEIGHT + 8 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, 6 * mm
    chart.width, chart.height = CHART_WIDTH - 12 * mm, CHART_HEIGHT
    chart.data = [
        [c.sent.value(key) or 0 for c in campaigns],
        [c.drafts.value(key) or 0 for c in campaigns],
    ]
    chart.categoryAxis.categoryNames = [c.school_year for c in campaigns]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 6.5
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 6.5
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = ACCENT
    chart.bars[1].fillColor = ACCENT_TINT
    chart.bars[1].strokeColor = ACCENT
    drawing.add(chart)
    return drawing


def _table(key: str, campaigns: list[CampaignIndicators], styles: Styles) -> Table:
    rows = [["Campagne", "Transmis", "Brouillons"]]
    rows += [
        [c.school_year, format_value(key, c.sent.value(key)), format_value(key, c.drafts.value(key))] for c in campaigns
    ]
    table = Table(rows, colWidths=[28 * mm, 30 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(
        table_style(
            ("FONTNAME", (0, 0), (-1, -1), REGULAR),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("BACKGROUND", (0, 0), (-1, 0), TINT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.5, RULE),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        )
    )
    return table


def indicators_story(campaigns: list[CampaignIndicators], organisation: str, styles: Styles) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph("Indicateurs", styles.title),
        Paragraph(
            escape(
                f"{organisation} — vos chiffres par campagne, sommes de vos questionnaires. « Transmis » : "
                "envoyés à la Caf (ou prêts à partir) ; « Brouillons » : encore en cours de saisie, comptés à part."
            ),
            styles.subtitle,
        ),
        Spacer(0, 4 * mm),
    ]
    if not campaigns:
        story.append(Paragraph("Aucun questionnaire pour l'instant.", styles.empty))
        return story
    for key, label, _ in FIGURES:
        block = Table(
            [[[Paragraph(escape(label), styles.section), _chart(key, campaigns)], _table(key, campaigns, styles)]],
            colWidths=[CHART_WIDTH + 4 * mm, FRAME_WIDTH - CHART_WIDTH - 4 * mm],
            hAlign="LEFT",
        )
        block.setStyle(table_style(("VALIGN", (0, 0), (-1, -1), "MIDDLE")))
        story.append(KeepTogether([block]))
    return story


def render_indicators(
    target: Path | BinaryIO, campaigns: list[CampaignIndicators], *, organisation: str, generated_at: dt.datetime
) -> None:
    styles = make_styles()
    furniture = PageFurniture(
        title=f"Indicateurs Clas — {organisation}",
        author=organisation,
        subject=f"Indicateurs Clas — {organisation}",
        footer=f"Indicateurs Clas · {organisation}",
        generated=f"Document généré le {french_datetime(generated_at)} par Bilan Clas",
        running_header=f"{organisation} — Indicateurs",
        watermark=False,
    )
    build_pdf(target, indicators_story(campaigns, organisation, styles), furniture)
