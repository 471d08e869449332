"""What the engine knows about a set of answers: visibility, issues, page progress, transmittability.

One pass over the definition in order. A hidden question is neither required, nor checked, nor
kept in what is transmitted (DESIGN §4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from forms.answers import Answers, is_answered
from forms.conditions import holds
from forms.definition import FormDefinition
from forms.rules import finding
from forms.validators import check, normalise

Severity = Literal["error", "advice"]
REQUIRED = "required"
INVALID = "invalid"


@dataclass(frozen=True)
class Issue:
    """One thing to tell the user about one question. Errors block transmission; advice never does."""

    question_id: str
    page_id: str
    code: str  # REQUIRED, INVALID, or the id of the cross-field rule
    message: str
    severity: Severity = "error"
    source: str | None = None  # for a rule: its document and section, e.g. « Circulaire C-2026-069, § 2.1 »

    @property
    def rule_id(self) -> str | None:
        return self.code if self.code not in (REQUIRED, INVALID) else None


class Progress(StrEnum):
    NOT_STARTED = "not_started"
    PARTIAL = "partial"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {"not_started": "Non commencée", "partial": "Incomplète", "complete": "Complète"}[self.value]


@dataclass(frozen=True)
class PageProgress:
    page_id: str
    title: str
    state: Progress
    answered: int  # visible questions with an answer
    visible: int
    required_missing: int
    errors: int
    local: bool = False  # an auto-diagnostic page: optional, stays on this computer, not in the progress count


@dataclass(frozen=True)
class Evaluation:
    visible: frozenset[str]
    issues: tuple[Issue, ...]
    pages: tuple[PageProgress, ...]

    @property
    def transmittable(self) -> bool:
        return not self.blocking

    @property
    def blocking(self) -> list[Issue]:
        """Every missing or invalid item, in questionnaire order."""
        return [i for i in self.issues if i.severity == "error"]

    @property
    def advice(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "advice"]

    @property
    def counted_pages(self) -> tuple[PageProgress, ...]:
        """The pages that count in « n / N pages complètes » (an auto-diagnostic page does not)."""
        return tuple(p for p in self.pages if not p.local)

    def issues_for(self, question_id: str) -> list[Issue]:
        return [i for i in self.issues if i.question_id == question_id]

    def page(self, page_id: str) -> PageProgress:
        return next(p for p in self.pages if p.page_id == page_id)


def visible_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> tuple[frozenset[str], Answers]:
    """The visible question ids, and the answers restricted to them (conditions read earlier answers only)."""
    visible: set[str] = set()
    kept: Answers = {}
    for q in definition.questions():
        if q.visible_if is None or holds(q.visible_if, kept):
            visible.add(q.id)
            if q.id in answers:
                kept[q.id] = answers[q.id]
    return frozenset(visible), kept


def evaluate(definition: FormDefinition, answers: Mapping[str, Any]) -> Evaluation:
    visible, kept = visible_answers(definition, answers)
    issues: list[Issue] = []
    valid: Answers = {}
    invalid: set[str] = set()
    for page in definition.pages:
        for q in page.questions:
            if q.id not in visible:
                continue
            value = kept.get(q.id)
            if not is_answered(value):
                if q.required:
                    issues.append(Issue(q.id, page.id, REQUIRED, "Réponse obligatoire."))
                continue
            message = check(q, value)
            if message:
                issues.append(Issue(q.id, page.id, INVALID, message))
                invalid.add(q.id)
            else:
                valid[q.id] = value
    for rule in definition.rules:
        if rule.target not in visible or not invalid.isdisjoint(rule.questions()):
            continue  # an invalid input is reported as such; the rule waits for a valid one
        message = finding(rule, valid)
        if message is not None:
            source = rule.source.label if rule.source else None
            page_id = definition.page_of(rule.target).id
            issues.append(Issue(rule.target, page_id, rule.id, message, rule.severity, source))
    order = {q.id: n for n, q in enumerate(definition.questions())}
    issues.sort(key=lambda i: (order[i.question_id], i.severity != "error"))
    return Evaluation(visible, tuple(issues), tuple(_progress(definition, visible, kept, issues)))


def _progress(
    definition: FormDefinition, visible: frozenset[str], kept: Answers, issues: list[Issue]
) -> list[PageProgress]:
    pages = []
    for page in definition.pages:
        shown = [q for q in page.questions if q.id in visible]
        answered = sum(1 for q in shown if is_answered(kept.get(q.id)))
        missing = sum(1 for i in issues if i.page_id == page.id and i.code == REQUIRED)
        errors = sum(1 for i in issues if i.page_id == page.id and i.severity == "error" and i.code != REQUIRED)
        if missing == 0 and errors == 0:
            state = Progress.COMPLETE
        elif answered == 0:
            state = Progress.NOT_STARTED
        else:
            state = Progress.PARTIAL
        local = all(q.local for q in page.questions)
        pages.append(PageProgress(page.id, page.title, state, answered, len(shown), missing, errors, local))
    return pages


def transmitted_answers(definition: FormDefinition, answers: Mapping[str, Any]) -> Answers:
    """What a transmitted version keeps: visible, answered, known questions, in canonical form.

    Auto-diagnostic answers (scope "local") stay on this computer: they are never part of it."""
    visible, kept = visible_answers(definition, answers)
    return {
        q.id: normalise(q, kept[q.id])
        for q in definition.questions()
        if q.id in visible and not q.local and is_answered(kept.get(q.id))
    }


def without_local(definition: FormDefinition, answers: Mapping[str, Any]) -> Answers:
    """`answers` minus the auto-diagnostic ones (what a server keeps of whatever it is sent)."""
    local = {q.id for q in definition.questions() if q.local}
    return {k: v for k, v in answers.items() if k not in local}
