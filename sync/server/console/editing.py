"""*Modifier les réponses*: the HTML form's fields read back into answers with the app's validators,
then saved as a Caf-authored version through the same service as the reviewer's API PUT."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from forms import validators
from forms.definition import FormDefinition, Question
from forms.evaluation import transmitted_answers
from forms.transmission import VersionBody
from sync import protocol as p
from sync.server import versions
from sync.server.context import ServerContext
from sync.server.models import Account
from sync.server.problems import ApiProblem

_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def field_name(question: Question, row: str | None = None) -> str:
    return f"a.{question.id}" if row is None else f"a.{question.id}.{row}"


def editable_questions(definition: FormDefinition) -> list[Question]:
    """What the Caf may change here: everything transmitted except documents (kept as they are)."""
    return [q for q in definition.questions() if not q.local and q.type != "file"]


def _parse(question: Question, values: list[str]) -> tuple[Any, str | None]:
    """(value, error): None for an empty field."""
    text = values[0].strip() if values else ""
    t = question.type
    if t == "multiple_choice":
        chosen = [v for v in values if v]
        return (chosen or None), None
    if not text:
        return None, None
    if t == "integer":
        compact = _SPACES.sub("", text)
        if not _INTEGER.match(compact):
            return None, "Saisissez un nombre entier."
        return int(compact), None
    if t == "decimal":
        compact = _SPACES.sub("", text)
        if not _DECIMAL.match(compact):
            return None, "Saisissez un nombre (par exemple 12,5)."
        number = float(compact.replace(",", "."))
        return (int(number) if number.is_integer() and question.decimals == 0 else number), None
    if t == "yes_no":
        return {"oui": True, "non": False}.get(text), None
    return text, None


def read_form(
    definition: FormDefinition, form: Any, current: dict[str, Any], only: Iterable[Question] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The answers the form gives (questions not in it keep their current value) and French errors by id."""
    answers = dict(current)
    errors: dict[str, str] = {}
    for q in only if only is not None else editable_questions(definition):
        if q.type == "matrix":
            value: Any = {r.id: form.get(field_name(q, r.id)) for r in q.rows if form.get(field_name(q, r.id))}
            value = value or None
            error = None
        else:
            value, error = _parse(q, form.getlist(field_name(q)))
        if error is None and value is not None:
            error = validators.check(q, value)
        if error is not None:
            errors[q.id] = error
        if value is None:
            answers.pop(q.id, None)
        else:
            answers[q.id] = value
    return answers, errors


def save(
    ctx: ServerContext, reviewer: Account, detail: p.ReviewDetail, definition: FormDefinition, answers: dict[str, Any]
) -> tuple[p.VersionAccepted | None, dict[str, str], str | None]:
    """(accepted, errors by question id, general error) after saving a Caf version."""
    summary = detail.summary
    current = next(v for v in detail.versions if v.version_id == summary.current_version_id)
    body = VersionBody.build(
        base_version_id=summary.current_version_id,
        form_id=summary.form_id,
        form_version=summary.form_version,
        answers=transmitted_answers(definition, answers),
        attachments=list(current.attachments),
    )
    try:
        done = versions.submit_version(ctx, reviewer, summary.questionnaire_id, uuid.uuid4(), body)
    except ApiProblem as refused:
        by_field: dict[str, str] = {}
        other = []
        for e in refused.errors or []:
            qid = e.field_path.split(".")[0].split("/")[0]
            if qid in {q.id for q in definition.questions()}:
                by_field.setdefault(qid, e.message)
            else:
                other.append(e.message)
        message = refused.title or "Modification refusée."
        return None, by_field, " ".join([message, *other]) if (other or not by_field) else None
    return done.accepted, {}, None
