"""A question row (label | answer) as one light flowable instead of a table row.

A bilan has dozens of short questions. As table rows, every paragraph is laid out two or three
times (table sizing, then drawing, then again when the table splits); a row flowable lays each
paragraph out once, and the frame moves whole rows to the next page by itself.
"""

from __future__ import annotations

from typing import Any

from reportlab.platypus import Flowable, Paragraph

from forms.pdf.styles import LABEL_SHARE, RULE

PAD_TOP, PAD_BOTTOM, GAP, RULE_WIDTH = 4.0, 5.0, 10.0, 0.4


class QuestionRow(Flowable):
    """A label on the left, an answer on the right, a hairline below."""

    def __init__(self, label: Paragraph, answer: Paragraph, *, rule: bool = True) -> None:
        super().__init__()
        self.label = label
        self.answer = answer
        self.rule = rule
        self._sizes = (0.0, 0.0, 0.0)

    def _columns(self, width: float) -> tuple[float, float]:
        left = width * LABEL_SHARE
        return left - 4, width - left - GAP

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        label_width, answer_width = self._columns(aw)
        _, label_height = self.label.wrap(label_width, ah)
        _, answer_height = self.answer.wrap(answer_width, ah)
        self.width = aw
        self.height = max(label_height, answer_height) + PAD_TOP + PAD_BOTTOM
        self._sizes = (label_height, answer_height, aw)
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        """Short rows move whole to the next page; only a row taller than the room left is cut."""
        self.wrap(aw, ah)
        if self.height <= ah or ah < 4 * self.answer.style.leading + PAD_TOP + PAD_BOTTOM:
            return []
        label_width, answer_width = self._columns(aw)
        room = ah - PAD_TOP - PAD_BOTTOM
        labels = self.label.split(label_width, room) or [self.label, Paragraph("", self.label.style)]
        answers = self.answer.split(answer_width, room) or [Paragraph("", self.answer.style), self.answer]
        if len(labels) == 1:
            labels.append(Paragraph("", self.label.style))
        if len(answers) == 1:
            answers.append(Paragraph("", self.answer.style))
        return [QuestionRow(labels[0], answers[0], rule=False), QuestionRow(labels[1], answers[1])]

    def draw(self) -> None:
        label_height, answer_height, width = self._sizes
        left = width * LABEL_SHARE
        top = self.height - PAD_TOP
        canvas: Any = self.canv
        self.label.drawOn(canvas, 0, top - label_height)
        self.answer.drawOn(canvas, left + GAP, top - answer_height)
        if self.rule:
            canvas.saveState()
            canvas.setStrokeColor(RULE)
            canvas.setLineWidth(RULE_WIDTH)
            canvas.line(0, 0, width, 0)
            canvas.restoreState()
