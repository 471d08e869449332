"""Page geometry, colours and paragraph styles: a sober, black-and-grey document with one accent."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from forms.pdf.fonts import BOLD, OBLIQUE, REGULAR, register_fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 24 * mm  # room for the two-line footer
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LABEL_SHARE = 0.46  # width share of the question label in the label | answer table

INK = HexColor("#1a1a1a")
MUTED_HEX = "#5c5c5c"  # for <font color=...> in paragraph markup
MUTED = HexColor(MUTED_HEX)
RULE = HexColor("#c9c9c9")
TINT = HexColor("#f3f3f3")
ACCENT = HexColor("#1f4e79")  # one deep blue: titles, marks, the notice bar
ACCENT_TINT = HexColor("#e8eef5")
WARNING = HexColor("#8a3b12")  # a notice still open, an attachment that does not check out
WATERMARK = Color(0.55, 0.55, 0.55, alpha=0.14)


def _style(name: str, **kwargs: object) -> ParagraphStyle:
    base: dict[str, object] = {"fontName": REGULAR, "fontSize": 9, "leading": 12, "textColor": INK}
    base.update(kwargs)
    return ParagraphStyle(name, **base)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    kicker: ParagraphStyle
    kicker_accent: ParagraphStyle
    heading: ParagraphStyle
    section: ParagraphStyle
    label: ParagraphStyle
    block_label: ParagraphStyle
    answer: ParagraphStyle
    answer_item: ParagraphStyle
    empty: ParagraphStyle
    empty_centered: ParagraphStyle
    body: ParagraphStyle
    long_answer: ParagraphStyle
    small: ParagraphStyle
    small_indented: ParagraphStyle
    matrix_head: ParagraphStyle
    matrix_cell: ParagraphStyle
    mark: ParagraphStyle
    notice: ParagraphStyle
    notice_meta: ParagraphStyle
    notice_meta_resolved: ParagraphStyle
    warning: ParagraphStyle
    meta_label: ParagraphStyle
    meta_value: ParagraphStyle


def make_styles() -> Styles:
    """Fresh styles (cheap; ParagraphStyle objects are mutable, so none is shared between documents).

    Registers the fonts first: paragraphs resolve their font when they are created.
    """
    register_fonts()
    return Styles(
        title=_style("title", fontName=BOLD, fontSize=22, leading=26, textColor=ACCENT),
        subtitle=_style("subtitle", fontSize=10.5, leading=14, textColor=MUTED),
        kicker=_style("kicker", fontName=BOLD, fontSize=7.5, leading=10, textColor=MUTED, spaceBefore=14),
        kicker_accent=_style("kicker_accent", fontName=BOLD, fontSize=7.5, leading=10, textColor=ACCENT),
        heading=_style("heading", fontName=BOLD, fontSize=13, leading=17, textColor=ACCENT, spaceAfter=2),
        section=_style("section", fontName=BOLD, fontSize=9.5, leading=13, spaceBefore=10, spaceAfter=3),
        label=_style("label", textColor=HexColor("#333333"), spaceAfter=0),
        block_label=_style("block_label", textColor=HexColor("#333333"), spaceBefore=5, spaceAfter=4),
        answer=_style("answer"),
        answer_item=_style("answer_item", leftIndent=10, bulletIndent=0, bulletFontName=REGULAR, bulletFontSize=7),
        empty=_style("empty", fontName=OBLIQUE, textColor=MUTED),
        empty_centered=_style("empty_centered", fontName=OBLIQUE, fontSize=8, textColor=MUTED, alignment=TA_CENTER),
        body=_style("body", fontSize=9.5, leading=13.5),
        long_answer=_style("long_answer", fontSize=9.5, leading=13.5, leftIndent=8, spaceBefore=2, spaceAfter=5),
        small=_style("small", fontSize=7.5, leading=10, textColor=MUTED),
        small_indented=_style("small_indented", fontSize=7.5, leading=10, textColor=MUTED, leftIndent=8),
        matrix_head=_style("matrix_head", fontName=BOLD, fontSize=7.5, leading=9.5, alignment=TA_CENTER),
        matrix_cell=_style("matrix_cell", fontSize=8.5, leading=11),
        mark=_style("mark", fontName=BOLD, fontSize=10, leading=11, textColor=ACCENT, alignment=TA_CENTER),
        notice=_style("notice", fontSize=8.5, leading=11.5),
        notice_meta=_style("notice_meta", fontName=BOLD, fontSize=7.5, leading=10, textColor=WARNING),
        notice_meta_resolved=_style("notice_meta_resolved", fontName=BOLD, fontSize=7.5, leading=10, textColor=MUTED),
        warning=_style("warning", fontName=OBLIQUE, fontSize=8, leading=10.5, textColor=WARNING),
        meta_label=_style("meta_label", fontSize=8.5, leading=11.5, textColor=MUTED),
        meta_value=_style("meta_value", fontName=BOLD, fontSize=9.5, leading=12.5),
    )


def table_style(*commands: tuple[object, ...]) -> TableStyle:
    """A table style on the embedded font: a table otherwise selects Helvetica, even with no text cell."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands])
