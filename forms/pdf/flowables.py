"""A question row (label | answer) as one light flowable instead of a table row.

A bilan has dozens of short questions. As table rows, every paragraph is laid out two or three
times (table sizing, then drawing, then again when the table splits); a row flowable lays each
paragraph out once, and the frame moves whole rows to the next page by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.platypus import Flowable, Paragraph

from forms.pdf.styles import LABEL_SHARE, RULE

PAD_TOP, PAD_BOTTOM, GAP, ITEM_GAP, RULE_WIDTH = 4.0, 5.0, 10.0, 1.5, 0.4


def _stack_height(paragraphs: Sequence[Paragraph], width: float, room: float) -> list[float]:
    return [p.wrap(width, room)[1] for p in paragraphs]


def _cut(paragraphs: Sequence[Paragraph], width: float, room: float) -> tuple[list[Paragraph], list[Paragraph]]:
    """The paragraphs (or first part of one) that fit in `room`, and the rest."""
    head: list[Paragraph] = []
    used = 0.0
    for index, paragraph in enumerate(paragraphs):
        height = paragraph.wrap(width, room)[1]
        if used + height <= room:
            head.append(paragraph)
            used += height + ITEM_GAP
            continue
        parts = paragraph.split(width, room - used)
        if len(parts) == 2:
            return [*head, parts[0]], [parts[1], *paragraphs[index + 1 :]]
        return head, list(paragraphs[index:])
    return head, []


class QuestionRow(Flowable):
    """A label on the left, the answer (one or more paragraphs) on the right, a hairline below."""

    def __init__(self, label: Sequence[Paragraph], answer: Sequence[Paragraph], *, rule: bool = True) -> None:
        super().__init__()
        self.label = list(label)
        self.answer = list(answer)
        self.rule = rule
        self._heights: tuple[list[float], list[float]] = ([], [])

    def _columns(self, width: float) -> tuple[float, float]:
        left = width * LABEL_SHARE
        return left - 4, width - left - GAP

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        label_width, answer_width = self._columns(aw)
        labels = _stack_height(self.label, label_width, ah)
        answers = _stack_height(self.answer, answer_width, ah)
        self._heights = (labels, answers)
        stacked = [sum(h) + ITEM_GAP * max(0, len(h) - 1) for h in (labels, answers)]
        self.width = aw
        self.height = max(stacked) + PAD_TOP + PAD_BOTTOM
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        """Short rows move whole to the next page; only a row taller than the room left is cut."""
        self.wrap(aw, ah)
        if self.height <= ah or ah < 60:
            return []
        label_width, answer_width = self._columns(aw)
        room = ah - PAD_TOP - PAD_BOTTOM
        label_head, label_rest = _cut(self.label, label_width, room)
        answer_head, answer_rest = _cut(self.answer, answer_width, room)
        if not answer_head:
            return []
        return [QuestionRow(label_head, answer_head, rule=False), QuestionRow(label_rest, answer_rest)]

    def draw(self) -> None:
        canvas: Any = self.canv
        for paragraphs, heights, x in (
            (self.label, self._heights[0], 0.0),
            (self.answer, self._heights[1], self.width * LABEL_SHARE + GAP),
        ):
            y = self.height - PAD_TOP
            for paragraph, height in zip(paragraphs, heights, strict=True):
                y -= height
                paragraph.drawOn(canvas, x, y)
                y -= ITEM_GAP
        if self.rule:
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(RULE_WIDTH)
            canvas.line(0, 0, self.width, 0)
