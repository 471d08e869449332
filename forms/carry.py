"""Start this year's bilan from an earlier one (« Reprendre les réponses d'un bilan précédent »).

What carries over is declared in the definition of the new questionnaire: `carry_over: true` on a
question (the fiche Structure, the place, the ages, the kind of activities). The definition model
refuses it on a count, a decimal or a file, so the figures of the year (children, séances,
présences, weeks, hours) and the attachment never carry; nor does a Caf-only or local answer.
An answer moves by question id, or from the id a question `replaces`. The pages that received
answers are marked « à vérifier » until the user has looked at them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from forms.answers import is_answered
from forms.definition import FormDefinition
from forms.store import QuestionnaireInfo, Store, UnknownForm
from forms.store.carried import archived_answers, mark_carried, page_checked, pages_to_check
from forms.validators import shape_error


@dataclass(frozen=True)
class Carried:
    answers: dict[str, Any]  # keyed by the new definition's question ids
    carried: list[str]  # question ids of the new questionnaire that were filled
    dropped: list[str]  # question ids answered in the earlier one and not copied


def carry_over(target: FormDefinition, source_answers: Mapping[str, Any]) -> Carried:
    """The answers of `source_answers` that `target` declares to carry over, checked against `target`."""
    answers: dict[str, Any] = {}
    used: set[str] = set()
    for question in target.questions():
        if not question.carry_over or question.caf_only or question.local:
            continue
        for source_id in (question.id, question.replaces):
            value = source_answers.get(source_id) if source_id else None
            if source_id and is_answered(value) and not shape_error(question, value):
                answers[question.id] = value
                used.add(source_id)
                break
    dropped = sorted(k for k, v in source_answers.items() if is_answered(v) and k not in used)
    return Carried(answers, sorted(answers, key=[q.id for q in target.questions()].index), dropped)


def start_from(
    store: Store, source_uuid: str, *, form_id: str, title: str, form_version: int | None = None
) -> tuple[QuestionnaireInfo, Carried]:
    """A new draft of `form_id` prefilled from questionnaire `source_uuid`; its carried pages « à vérifier »."""
    store.get(source_uuid)  # NotFound, in French, before anything is created
    try:
        target = store.registry.get(form_id, form_version)
    except KeyError:
        shown = form_id if form_version is None else f"{form_id} (version {form_version})"
        raise UnknownForm(f"Formulaire inconnu : {shown}.") from None
    result = carry_over(target, store.answers(source_uuid))
    info = store.create(form_id=target.id, form_version=target.version, title=title, answers=result.answers)
    mark_carried(store, info.uuid, {target.page_of(q).id for q in result.carried}, source_uuid)
    return info, result


def carry_notes(store: Store, questionnaire_uuid: str) -> str:
    """What the questionnaire view says about carried pages « à vérifier » and archived answers, or ""."""
    definition = store.definition(questionnaire_uuid)
    to_check = pages_to_check(store, questionnaire_uuid)
    notes = []
    if to_check:
        titles = [p.title for p in definition.pages if p.id in to_check]
        notes.append("Repris du bilan précédent, à vérifier : " + ", ".join(titles) + ".")
    archived = archived_answers(store, questionnaire_uuid)
    if archived:
        shown = "; ".join(
            f"{a['question_id']} (version {a['form_version']}) : "
            + (a["value"] if isinstance(a["value"], str) else json.dumps(a["value"], ensure_ascii=False))
            for a in archived
        )
        notes.append(f"Réponses archivées (sans question dans cette version du formulaire, conservées) : {shown}.")
    return "\n".join(notes)


def mark_page_seen(store: Store, questionnaire_uuid: str, page_id: str) -> bool:
    """The user has looked at `page_id`; True when it was « à vérifier »."""
    if page_id in pages_to_check(store, questionnaire_uuid):
        page_checked(store, questionnaire_uuid, page_id)
        return True
    return False
