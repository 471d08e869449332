"""What the engine knows about a set of answers: visibility, issues, page progress, transmittability.

One pass over the definition in order. A hidden question is neither required, nor checked, nor
kept in what is transmitted (DESIGN §4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from forms.answers import Answers, is_answered
from forms.conditions import holds
from forms.definition import FormDefinition, Page, Question
from forms.dependencies import Dependencies, dependencies
from forms.rule_model import Rule
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
    found: list[Issue] = []
    for page in definition.pages:
        for q in page.questions:
            issue = _question_issue(q, page.id, visible, kept)
            if issue is not None:
                found.append(issue)
    invalid = {i.question_id for i in found if i.code == INVALID}
    valid = _valid(kept, invalid)
    inputs = dependencies(definition).inputs
    for rule, reads in zip(definition.rules, inputs, strict=True):
        issue = _rule_issue(definition, rule, reads, visible, invalid, valid)
        if issue is not None:
            found.append(issue)
    issues = _ordered(definition, found)
    return Evaluation(visible, issues, tuple(_page_progress(page, visible, kept, issues) for page in definition.pages))


def reevaluate(
    definition: FormDefinition,
    before: Evaluation,
    answers: Mapping[str, Any],
    changed: Iterable[str],
    graph: Dependencies | None = None,
) -> Evaluation:
    """`evaluate(definition, answers)`, given `before` for answers that differ from `answers` only in
    the questions `changed`: only what those can affect (forms.dependencies) is checked again."""
    graph = graph or dependencies(definition)
    affected = graph.affected(changed)
    reach = affected.questions
    visible: set[str] = set()
    kept: Answers = {}
    for q in definition.questions():  # in order: a condition reads the visible answers before it
        # Outside `reach`, a condition reads nothing that changed: its question shows as before.
        shown = (q.visible_if is None or holds(q.visible_if, kept)) if q.id in reach else q.id in before.visible
        if shown:
            visible.add(q.id)
            if q.id in answers:
                kept[q.id] = answers[q.id]
    frozen = frozenset(visible)
    own = {i.question_id: i for i in before.issues if i.code in (REQUIRED, INVALID)}  # one at most per question
    for page in definition.pages:
        for q in page.questions:
            if q.id in reach:
                issue = _question_issue(q, page.id, frozen, kept)
                if issue is None:
                    own.pop(q.id, None)
                else:
                    own[q.id] = issue
    invalid = {qid for qid, i in own.items() if i.code == INVALID}
    by_rule = {i.code: i for i in before.issues if i.code not in (REQUIRED, INVALID)}  # rule ids are unique
    if affected.rules:
        valid = _valid(kept, invalid)
        for index in affected.rules:
            rule = definition.rules[index]
            issue = _rule_issue(definition, rule, graph.inputs[index], frozen, invalid, valid)
            if issue is None:
                by_rule.pop(rule.id, None)
            else:
                by_rule[rule.id] = issue
    found = [own[q.id] for q in definition.questions() if q.id in own]
    found += [by_rule[r.id] for r in definition.rules if r.id in by_rule]
    issues = _ordered(definition, found)
    pages = tuple(
        _page_progress(page, frozen, kept, issues) if page.id in affected.pages else previous
        for page, previous in zip(definition.pages, before.pages, strict=True)
    )
    return Evaluation(frozen, issues, pages)


def _question_issue(q: Question, page_id: str, visible: frozenset[str], kept: Answers) -> Issue | None:
    """The question's own issue (missing or invalid), None when there is none or it is hidden."""
    if q.id not in visible:
        return None
    value = kept.get(q.id)
    if not is_answered(value):
        return Issue(q.id, page_id, REQUIRED, "Réponse obligatoire.") if q.required else None
    message = check(q, value)
    return Issue(q.id, page_id, INVALID, message) if message else None


def _valid(kept: Answers, invalid: set[str]) -> Answers:
    """What the rules read: the visible answers that are given and valid."""
    return {k: v for k, v in kept.items() if k not in invalid and is_answered(v)}


def _rule_issue(
    definition: FormDefinition,
    rule: Rule,
    inputs: frozenset[str],
    visible: frozenset[str],
    invalid: set[str],
    valid: Answers,
) -> Issue | None:
    """`inputs`: `rule.questions()`, computed once (forms.dependencies)."""
    if rule.target not in visible or not invalid.isdisjoint(inputs):
        return None  # an invalid input is reported as such; the rule waits for a valid one
    message = finding(rule, valid)
    if message is None:
        return None
    source = rule.source.label if rule.source else None
    return Issue(rule.target, dependencies(definition).page[rule.target], rule.id, message, rule.severity, source)


def _ordered(definition: FormDefinition, issues: list[Issue]) -> tuple[Issue, ...]:
    order = dependencies(definition).order
    return tuple(sorted(issues, key=lambda i: (order[i.question_id], i.severity != "error")))


def _page_progress(page: Page, visible: frozenset[str], kept: Answers, issues: tuple[Issue, ...]) -> PageProgress:
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
    return PageProgress(page.id, page.title, state, answered, len(shown), missing, errors, local)


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
