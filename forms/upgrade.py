"""Move a draft to a newer version of its definition, offered to the user, never silent.

Answers move by question id; a question that `replaces` an old id receives that answer; an answer
whose question the new version no longer has (or whose value it no longer accepts) is archived
with the questionnaire (forms/store/carried.py), shown in the app and under `archived_answers` in
`export`: nothing is ever lost. Only an editable questionnaire moves (forms/lifecycle.py,
Action.MIGRATE); its transmitted versions keep the definition they were sent with.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update

from forms.definition import FormDefinition
from forms.lifecycle import Action, Status, allowed, refusal
from forms.payload import canonical_json
from forms.store import NotEditable, QuestionnaireInfo, Store, UnknownForm
from forms.store.carried import archive
from forms.store.schema import Answer, Questionnaire
from forms.store.store import _iso, utc_now
from forms.validators import shape_error

_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_A = Answer.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Migration:
    from_version: int
    to_version: int
    moved: list[str]  # same id in both versions
    renamed: list[tuple[str, str]]  # (old id, new id)
    archived: list[str]  # kept aside: no question for them in the new version
    answers: dict[str, Any]  # the answers under the new version

    def as_json(self) -> dict[str, Any]:
        return {
            "from_version": self.from_version,
            "to_version": self.to_version,
            "moved": self.moved,
            "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            "archived": self.archived,
        }


def plan(source: FormDefinition, target: FormDefinition, answers: Mapping[str, Any]) -> Migration:
    """Where each answer goes under `target` (pure: nothing is written)."""
    by_id = {q.id: q for q in target.questions()}
    by_old = {q.replaces: q for q in target.questions() if q.replaces}
    moved, renamed, archived, new = [], [], [], {}
    for qid, value in sorted(answers.items()):
        if qid in by_id and not shape_error(by_id[qid], value):
            new[qid] = value
            moved.append(qid)
        elif qid in by_old and by_old[qid].id not in answers and not shape_error(by_old[qid], value):
            new[by_old[qid].id] = value
            renamed.append((qid, by_old[qid].id))
        else:
            archived.append(qid)
    return Migration(source.version, target.version, moved, renamed, archived, new)


def newer_version(store: Store, info: QuestionnaireInfo) -> FormDefinition | None:
    """The latest version of its definition when newer than its own and it may move; else None."""
    if not allowed(info.status, Action.MIGRATE) or store.definition_missing(info.uuid):
        return None
    latest = store.registry.get(info.form_id)
    return latest if latest.version > info.form_version else None


def migrate(store: Store, questionnaire_uuid: str, to_version: int | None = None) -> Migration:
    """Move the questionnaire to `to_version` (default: the latest) in one transaction."""
    info = store.get(questionnaire_uuid)
    if not allowed(info.status, Action.MIGRATE):
        raise NotEditable(refusal(info.status, Action.MIGRATE))
    if store.definition_missing(questionnaire_uuid):
        raise NotEditable(store.stand_in_reason(questionnaire_uuid))
    source = store.definition(questionnaire_uuid)
    try:
        target = store.registry.get(info.form_id, to_version)
    except KeyError:
        shown = info.form_id if to_version is None else f"{info.form_id} (version {to_version})"
        raise UnknownForm(f"Formulaire inconnu : {shown}.") from None
    if target.version <= source.version:
        raise NotEditable(
            f"Ce questionnaire suit déjà la version {source.version} de {info.form_id} : "
            f"il ne peut passer qu'à une version plus récente."
        )
    now = _iso(utc_now())
    with store._write() as c:
        status = Status(c.execute(select(_Q.c.status).where(_Q.c.uuid == questionnaire_uuid)).scalar_one())
        if not allowed(status, Action.MIGRATE):  # changed since we read it: re-checked under the lock
            raise NotEditable(refusal(status, Action.MIGRATE))
        rows = c.execute(select(_A.c.question_id, _A.c.value).where(_A.c.questionnaire_uuid == questionnaire_uuid))
        answers = {qid: json.loads(value) for qid, value in rows}
        result = plan(source, target, answers)
        archive(c, questionnaire_uuid, source.version, {k: answers[k] for k in result.archived}, now)
        c.execute(delete(_A).where(_A.c.questionnaire_uuid == questionnaire_uuid))
        if result.answers:
            c.execute(
                _A.insert(),
                [
                    {"questionnaire_uuid": questionnaire_uuid, "question_id": k, "value": canonical_json(v),
                     "updated_at": now}
                    for k, v in result.answers.items()
                ],
            )  # fmt: skip
        c.execute(update(_Q).where(_Q.c.uuid == questionnaire_uuid).values(form_version=target.version, updated_at=now))
    store.forget_definition(questionnaire_uuid)
    return result
