"""An answer as the short French text a person reads (conflict choices, summaries)."""

from __future__ import annotations

from typing import Any

from forms.answers import is_answered
from forms.definition import Question
from forms.formatting import scalar_text

UNANSWERED = "Non renseigné"


def answer_text(question: Question, value: Any) -> str:
    if not is_answered(value):
        return UNANSWERED
    if question.type == "single_choice":
        return question.choice_label(value)
    if question.type == "multiple_choice" and isinstance(value, list):
        return ", ".join(question.choice_label(v) for v in value)
    if question.type == "matrix" and isinstance(value, dict):
        rows = {r.id: r.label for r in question.rows}
        return " ; ".join(f"{rows.get(k, k)} : {question.choice_label(v)}" for k, v in value.items())
    if question.type == "file" and isinstance(value, dict):
        return str(value.get("name", ""))
    return scalar_text(question.type, value, question.unit)
