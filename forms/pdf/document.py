"""Page furniture and output: footer "Page x / y", running header, BROUILLON mark, metadata, writing.

The total page count is only known once every page is laid out, so the canvas keeps each page's
state and draws the footers in `save()` (one layout pass instead of two builds).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from forms.pdf.fonts import BOLD, REGULAR, register_fonts
from forms.pdf.styles import (
    FRAME_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    WATERMARK,
)

# ASCII85 wrapping of compressed streams only served 7-bit mail transports: without it the file is
# ~20 % smaller and faster to write (reportlab's encoder is pure Python without rl_accel).
rl_config.useA85 = 0

WATERMARK_TEXT = "BROUILLON"
PRODUCER = "Bilan Clas"


@dataclass(frozen=True)
class PageFurniture:
    """What every page of one document carries besides its content."""

    title: str  # PDF metadata title
    author: str
    subject: str
    footer: str  # left of the footer's first line
    generated: str  # left of the footer's second line, e.g. "Document généré le …"
    running_header: str  # top of pages 2 and following
    watermark: bool


def _truncate(canvas: Canvas, text: str, font: str, size: float, width: float) -> str:
    if canvas.stringWidth(text, font, size) <= width:
        return text
    while text and canvas.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _canvas_class(furniture: PageFurniture) -> type[Canvas]:
    class PagedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            y = MARGIN_BOTTOM - 9 * mm  # under the frame
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, y + 10, PAGE_WIDTH - MARGIN_X, y + 10)
            self.setFillColor(MUTED)
            page = f"Page {number} / {total}"
            self.setFont(BOLD, 8)
            self.drawRightString(PAGE_WIDTH - MARGIN_X, y, page)
            room = PAGE_WIDTH - 2 * MARGIN_X - self.stringWidth(page, BOLD, 8) - 20
            self.setFont(REGULAR, 8)
            self.drawString(MARGIN_X, y, _truncate(self, furniture.footer, REGULAR, 8, room))
            self.setFont(REGULAR, 7)
            self.drawString(MARGIN_X, y - 10, furniture.generated)
            self.restoreState()

    return PagedCanvas


def _decorate(furniture: PageFurniture, first: bool) -> Any:
    """onPage callback: drawn before the page's content, so the mark stays beneath the text."""

    def draw(canvas: Canvas, _doc: Any) -> None:
        canvas.saveState()
        if furniture.watermark:
            canvas.setFillColor(WATERMARK)
            canvas.setFont(BOLD, 96)
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(50)
            canvas.drawCentredString(0, -34, WATERMARK_TEXT)
            canvas.rotate(-50)
            canvas.translate(-PAGE_WIDTH / 2, -PAGE_HEIGHT / 2)
        if not first:
            canvas.setFont(REGULAR, 7.5)
            canvas.setFillColor(MUTED)
            y = PAGE_HEIGHT - MARGIN_TOP + 12
            width = PAGE_WIDTH - 2 * MARGIN_X
            canvas.drawString(MARGIN_X, y, _truncate(canvas, furniture.running_header, REGULAR, 7.5, width))
        canvas.restoreState()

    return draw


def build_pdf(target: Path | BinaryIO, story: Sequence[Flowable], furniture: PageFurniture) -> None:
    """Lay out `story` on A4 pages and write the PDF to a path (atomically) or a binary stream."""
    register_fonts()
    if isinstance(target, str | os.PathLike):
        _write_atomically(Path(target), story, furniture)
        return
    _build(target, story, furniture)


def _build(stream: Any, story: Sequence[Flowable], furniture: PageFurniture) -> None:
    # Frames without inner padding, so that tables of FRAME_WIDTH line up with rules and footer.
    frame_height = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    frames = [Frame(MARGIN_X, MARGIN_BOTTOM, FRAME_WIDTH, frame_height, 0, 0, 0, 0, id="body")]
    doc = BaseDocTemplate(
        stream,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=furniture.title,
        author=furniture.author,
        subject=furniture.subject,
        creator=PRODUCER,
        producer=PRODUCER,
        lang="fr-FR",
        displayDocTitle=1,
        # The canvas would otherwise select Helvetica at each page start: no base-14 font at all.
        initialFontName=REGULAR,
        pageTemplates=[
            PageTemplate("first", frames, onPage=_decorate(furniture, first=True), autoNextPageTemplate="later"),
            PageTemplate("later", frames, onPage=_decorate(furniture, first=False)),
        ],
    )
    doc.build(list(story), canvasmaker=_canvas_class(furniture))


def _write_atomically(path: Path, story: Sequence[Flowable], furniture: PageFurniture) -> None:
    """Never leave half a PDF behind: write next to the target, then rename over it."""
    handle, temporary = tempfile.mkstemp(prefix=".bilan-", suffix=".pdf.part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            _build(stream, story, furniture)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
