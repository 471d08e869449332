"""What the questionnaire page shows, computed from the definition (no question named here): the
fiche Structure then the fiche Action with every visible answer, the notices under their question,
the versions and what changed between them, the journal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from forms.answers import is_answered
from forms.definition import FormDefinition, Question
from forms.display import answer_text
from forms.evaluation import visible_answers
from forms.formatting import french_datetime
from forms.lifecycle import Status
from sync import protocol as p
from sync.server import campaigns
from sync.server.checks import definition_for
from sync.server.context import ServerContext

PARTS = (("structure", "Fiche Structure"), ("action", "Fiche Action"))
_ACTIONS = {
    "transmit": "Transmis par le partenaire",
    "reply": "Réponse du partenaire à une remarque",
    "notice": "Remarque ajoutée",
    "edit": "Réponses modifiées par la Caf",
    "return": "Renvoyé pour correction",
    "validate_structure": "Fiche Structure validée",
    "validate": "Validé",
}


@dataclass
class AnswerView:
    question: Question
    text: str
    matrix: list[tuple[str, str]] | None  # (row label, choice label) for a matrix
    notices: list[p.NoticeView] = field(default_factory=list)
    document: str | None = None  # sha256 of a file answer, for its download link


@dataclass
class PageView:
    title: str
    answers: list[AnswerView]


@dataclass
class PartView:
    title: str
    pages: list[PageView]


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class VersionRow:
    version: p.VersionView
    author_label: str
    changes: list[Change]


@dataclass
class QuestionnairePage:
    detail: p.ReviewDetail
    definition: FormDefinition
    state: Status
    title: str
    parts: list[PartView]
    general_notices: list[p.NoticeView]
    versions: list[VersionRow]  # newest first
    journal: list[tuple[str, str, str]]  # (when, who, what)
    caf_questions: list[Question]
    answers: dict[str, Any]


def matrix_rows(question: Question, value: Any) -> list[tuple[str, str]] | None:
    if question.type != "matrix" or not isinstance(value, dict):
        return None
    return [(row.label, question.choice_label(value[row.id])) for row in question.rows if row.id in value]


def document_of(question: Question, value: Any) -> str | None:
    if question.type != "file" or not isinstance(value, dict):
        return None
    digest = value.get("sha256")
    return digest if isinstance(digest, str) and len(digest) == 64 else None


def when(moment: dt.datetime) -> str:
    return french_datetime(campaigns.local_time(moment))


def title_of(definition: FormDefinition, answers: dict[str, Any], organisation: str) -> str:
    return definition.text_for_role(answers, "action_place") or organisation


def diff(definition: FormDefinition, before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    changes = []
    for q in definition.questions():
        old, new = before.get(q.id), after.get(q.id)
        if old != new and (is_answered(old) or is_answered(new)):
            changes.append(Change(q.label, answer_text(q, old), answer_text(q, new)))
    return changes


def build(ctx: ServerContext, detail: p.ReviewDetail) -> QuestionnairePage:
    summary = detail.summary
    definition = definition_for(ctx, summary.form_id, summary.form_version)
    current = next(v for v in detail.versions if v.version_id == summary.current_version_id)
    answers = dict(current.answers)
    visible, _kept = visible_answers(definition, answers)
    by_question: dict[str, list[p.NoticeView]] = {}
    general = []
    for notice in detail.notices:
        if notice.question_id is None:
            general.append(notice)
        else:
            by_question.setdefault(notice.question_id, []).append(notice)
    parts = []
    for part, part_title in PARTS:
        pages = []
        for page in definition.pages:
            if page.part != part:
                continue
            shown = [
                AnswerView(
                    q,
                    answer_text(q, answers.get(q.id)),
                    matrix_rows(q, answers.get(q.id)),
                    by_question.get(q.id, []),
                    document_of(q, answers.get(q.id)),
                )
                for q in page.questions
                if not q.local and (q.id in visible or q.id in by_question)
            ]
            if shown:
                pages.append(PageView(page.title, shown))
        parts.append(PartView(part_title, pages))
    versions = []
    previous: dict[str, Any] = {}
    for v in detail.versions:
        author = "Caf" if v.author_role == "caf" else "Partenaire"
        versions.append(VersionRow(v, f"{author} ({v.author})", diff(definition, previous, dict(v.answers))))
        previous = dict(v.answers)
    journal = [(when(e.at), e.actor, _ACTIONS.get(e.action, e.action)) for e in reversed(detail.audit)]
    return QuestionnairePage(
        detail=detail,
        definition=definition,
        state=Status(summary.state),
        title=title_of(definition, answers, summary.organisation),
        parts=parts,
        general_notices=general,
        versions=list(reversed(versions)),
        journal=journal,
        caf_questions=[q for q in definition.questions() if q.caf_only],
        answers=answers,
    )
