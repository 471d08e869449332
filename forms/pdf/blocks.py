"""One question and its answer as flowables: a label | answer row, or a full-width block.

Short answers sit in a label | answer row; matrices, long texts and files take the full width (a
matrix needs its columns, a long text must flow across pages, a SHA-256 needs room to stay on one
line).
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from forms.answers import is_answered
from forms.definition import Question
from forms.formatting import NOT_ANSWERED, escape, file_size, multiline, scalar_text
from forms.pdf.flowables import QuestionRow
from forms.pdf.fonts import BULLET, CHECK
from forms.pdf.styles import (
    ACCENT_TINT,
    FRAME_WIDTH,
    MUTED,
    RULE,
    TINT,
    WARNING,
    Styles,
    table_style,
)

BLOCK_TYPES = frozenset({"matrix", "long_text", "file"})
_MEDIA = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "image/jpeg": "image JPEG",
    "image/png": "image PNG",
}
Row = list[Any]
_CELL_PADDING = 3


def _empty(styles: Styles) -> Paragraph:
    return Paragraph(NOT_ANSWERED, styles.empty)


def answer_cell(question: Question, value: Any, styles: Styles) -> list[Paragraph]:
    """The answer column of a short question: one paragraph, or one per chosen item."""
    if not is_answered(value):
        return [_empty(styles)]
    if question.type == "single_choice" and isinstance(value, str):
        return [Paragraph(escape(question.choice_label(value)), styles.answer)]
    if question.type == "multiple_choice" and isinstance(value, list):
        chosen = [c.label for c in question.choices if c.id in value]
        chosen += [str(v) for v in value if v not in {c.id for c in question.choices}]  # unknown ids, as they are
        # One paragraph per item, so that a wrapped item hangs under its text, not under the bullet.
        return [Paragraph(escape(label), styles.answer_item, bulletText=BULLET) for label in chosen]
    return [Paragraph(escape(scalar_text(question.type, value, question.unit)), styles.answer)]


def row(question: Question, value: Any, styles: Styles) -> QuestionRow:
    return QuestionRow([Paragraph(escape(question.label), styles.label)], answer_cell(question, value, styles))


def block(question: Question, value: Any, styles: Styles, note: str | None = None) -> list[Flowable]:
    """A full-width question: its label, then its answer below."""
    label = Paragraph(escape(question.label), styles.block_label)
    # Room for the label and the start of the answer, instead of keepWithNext: keeping flowables
    # together makes reportlab lay them out twice, and a bilan has dozens of such pairs.
    room = CondPageBreak((45 if question.type == "matrix" else 25) * mm)
    if not is_answered(value):
        body: list[Flowable] = [Paragraph(NOT_ANSWERED, styles.empty)]
    elif question.type == "matrix" and isinstance(value, dict):
        body = [matrix(question, value, styles)]
    elif question.type == "file" and isinstance(value, dict):
        body = file_lines(value, styles)
    elif isinstance(value, str):
        # One paragraph per line: a long text flows across pages line by line.
        lines = [line for line in value.strip().splitlines() if line.strip()]
        body = [Paragraph(escape(line), styles.long_answer) for line in lines]
    else:
        body = [Paragraph(multiline(str(value)), styles.long_answer)]
    if note:
        body.append(Paragraph(f"\u26a0\u00a0{escape(note)}", styles.warning))
    return [room, label, *body, Spacer(0, 6)]


def file_lines(value: dict[str, Any], styles: Styles) -> list[Flowable]:
    name = escape(str(value.get("name", "")))
    media = value.get("media_type")
    kind = _MEDIA.get(media, str(media)) if media else ""
    details = " · ".join(x for x in (file_size(value.get("size")), escape(kind)) if x)
    digest = escape(str(value.get("sha256", "")))
    return [
        Paragraph(f"<b>{name}</b>\u2002{details}", styles.long_answer),
        Paragraph(f"Empreinte SHA-256\u00a0: {digest}", styles.small_indented),
    ]


def _matrix_widths(question: Question, styles: Styles) -> tuple[float, float]:
    """Row-label and column widths: columns wide enough for their longest word, never cut mid-word."""
    head = styles.matrix_head
    longest = max(stringWidth(word, head.fontName, head.fontSize) for c in question.choices for word in c.label.split())
    count = len(question.choices)
    cell = max(min(FRAME_WIDTH * 0.6 / count, 28 * mm), longest + 2 * _CELL_PADDING + 2)
    label = max(FRAME_WIDTH * 0.28, FRAME_WIDTH - cell * count)
    return label, (FRAME_WIDTH - label) / count


def matrix(question: Question, value: dict[str, Any], styles: Styles) -> Table:
    """Rows × columns with the chosen column of each row marked; an unanswered row says so."""
    columns = question.choices
    label_width, cell_width = _matrix_widths(question, styles)
    data: list[Row] = [[[], *(Paragraph(escape(c.label), styles.matrix_head) for c in columns)]]
    commands: list[tuple[Any, ...]] = [
        ("BACKGROUND", (1, 0), (-1, 0), TINT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, MUTED),
        ("INNERGRID", (1, 0), (-1, -1), 0.25, RULE),
        ("LINEBEFORE", (1, 1), (1, -1), 0.25, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (0, -1), 0),
        ("FONT", (1, 1), (-1, -1), styles.mark.fontName, styles.mark.fontSize),
        ("TEXTCOLOR", (1, 1), (-1, -1), styles.mark.textColor),
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("TOPPADDING", (0, 0), (-1, -1), 3.5),
        ("LEFTPADDING", (1, 0), (-1, -1), _CELL_PADDING),
        ("RIGHTPADDING", (1, 0), (-1, -1), _CELL_PADDING),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for number, line in enumerate(question.rows, 1):
        chosen = value.get(line.id)
        cells: Row = [Paragraph(escape(line.label), styles.matrix_cell)]
        if chosen in {c.id for c in columns}:
            # The mark is a plain string (laid out without wrapping); an empty cell is an empty list
            # of flowables, which a table skips, where an empty string would still be drawn.
            cells += [CHECK if c.id == chosen else [] for c in columns]
            marked = next(i for i, c in enumerate(columns, 1) if c.id == chosen)
            commands.append(("BACKGROUND", (marked, number), (marked, number), ACCENT_TINT))
        else:
            cells += [Paragraph(NOT_ANSWERED, styles.empty_centered)] + [[] for _ in columns[1:]]
            commands.append(("SPAN", (1, number), (-1, number)))
        data.append(cells)
    table = Table(data, colWidths=[label_width] + [cell_width] * len(columns), repeatRows=1, hAlign="LEFT")
    table.setStyle(table_style(*commands))
    return table


def notice_box(meta: str, message: str, styles: Styles, *, resolved: bool) -> Table:
    """A Caf notice: a bar on the left (dark orange when open, grey when resolved), meta line, message."""
    table = Table(
        [
            [Paragraph(meta, styles.notice_meta_resolved if resolved else styles.notice_meta)],
            [Paragraph(multiline(message), styles.notice)],
        ],
        colWidths=[FRAME_WIDTH],
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(
        table_style(
            ("BACKGROUND", (0, 0), (-1, -1), TINT),
            ("LINEBEFORE", (0, 0), (0, -1), 2.5, MUTED if resolved else WARNING),
            ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, 0), 4),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
            ("TOPPADDING", (0, 1), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 1),
        )
    )
    return table
