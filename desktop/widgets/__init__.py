"""One widget kind per question type; `create_question_widget` picks it from the definition."""

from __future__ import annotations

from desktop.widgets.base import QuestionWidget
from desktop.widgets.choices import CheckboxesWidget, RadioWidget
from desktop.widgets.file import Attach, FileWidget
from desktop.widgets.matrix import MatrixWidget
from desktop.widgets.numbers import NumberWidget
from desktop.widgets.text import DateWidget, LineWidget, LongTextWidget
from forms.definition import Question

_LINE_TYPES = {"text", "email", "phone", "siret", "siren", "postal_code", "insee_code"}


def create_question_widget(question: Question, attach: Attach) -> QuestionWidget:
    kind = question.type
    if kind in _LINE_TYPES:
        return LineWidget(question)
    if kind == "date":
        return DateWidget(question)
    if kind == "long_text":
        return LongTextWidget(question)
    if kind in ("integer", "decimal"):
        return NumberWidget(question)
    if kind in ("single_choice", "yes_no"):
        return RadioWidget(question)
    if kind == "multiple_choice":
        return CheckboxesWidget(question)
    if kind == "matrix":
        return MatrixWidget(question)
    return FileWidget(question, attach)


__all__ = ["QuestionWidget", "create_question_widget"]
