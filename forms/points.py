"""The « points à voir » of a questionnaire, as people read them: what to complete or correct
(blocking) then the référentiel's advice with its source. One model for the app, the CLI and the PDF."""

from __future__ import annotations

from dataclasses import dataclass

from forms.definition import FormDefinition
from forms.evaluation import Evaluation, Issue

KIND_LABELS = {"error": "À faire", "advice": "Conseil"}
HELD_LABEL = "À voir avec la Caf (fiche Structure validée)"
"""A point on an answer the Caf locked by validating the fiche Structure: not the partner's to change."""


@dataclass(frozen=True)
class Point:
    question_id: str
    page_id: str
    page_title: str
    question_label: str
    code: str
    rule_id: str | None
    severity: str
    message: str
    source: str | None

    @property
    def kind(self) -> str:
        return KIND_LABELS[self.severity]

    @property
    def where(self) -> str:
        return f"{self.page_title} › {self.question_label}"

    @property
    def text(self) -> str:
        """The message with its source, as shown next to the field."""
        return issue_text(self.message, self.source)


def issue_text(message: str, source: str | None) -> str:
    return f"{message}\nSource : {source}" if source else message


def field_text(issues: list[Issue]) -> tuple[str, str] | None:
    """What to show under one field: its first error, else every advice with its source."""
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        return errors[0].message, "error"
    advice = [issue_text(i.message, i.source) for i in issues if i.severity == "advice"]
    return ("\n\n".join(advice), "advice") if advice else None


def points(definition: FormDefinition, evaluation: Evaluation, *, advice: bool = True) -> list[Point]:
    """Blocking items first, in questionnaire order, then (if `advice`) the advice, in questionnaire order."""
    return as_points(definition, evaluation.blocking + (evaluation.advice if advice else []))


def as_points(definition: FormDefinition, issues: list[Issue]) -> list[Point]:
    titles = {p.id: p.title for p in definition.pages}
    return [
        Point(
            question_id=i.question_id,
            page_id=i.page_id,
            page_title=titles[i.page_id],
            question_label=definition.question(i.question_id).label,
            code=i.code,
            rule_id=i.rule_id,
            severity=i.severity,
            message=i.message,
            source=i.source,
        )
        for i in issues
    ]
