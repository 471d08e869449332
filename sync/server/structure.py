"""« Valider la fiche Structure » (seed 001 §2.1–2.2): the Caf validates an organisation's fiche Structure
for a campaign first; its answers are then locked, for the Caf and the partner, in every questionnaire of
that organisation for that campaign, and only then may an action be validated.

Which questions are the fiche Structure comes from the definition (pages of part "structure"); the Caf's
own fields (filled_by "caf", e.g. the Sias number of each dossier) stay the Caf's to set.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import bindparam, select
from sqlmodel import Session

from forms.definition import FormDefinition, Question
from forms.payload import canonical_json
from sync import protocol as p
from sync.server.models import StructureValidation
from sync.server.problems import ApiProblem

PART = "structure"


def locked_questions(definition: FormDefinition) -> list[Question]:
    """The answers a validated fiche Structure locks."""
    return [q for q in definition.part_questions(PART) if not q.local and not q.caf_only]


def structure_answers(definition: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
    return {q.id: answers[q.id] for q in locked_questions(definition) if q.id in answers}


def validation_of(session: Session, organisation_id: int, form_id: str) -> StructureValidation | None:
    return session.get(StructureValidation, (organisation_id, form_id))


_VALIDATIONS = StructureValidation.__table__  # type: ignore[attr-defined]
_VALIDATED_ANSWERS = select(_VALIDATIONS.c.answers_json).where(
    _VALIDATIONS.c.organisation_id == bindparam("b_org"), _VALIDATIONS.c.form_id == bindparam("b_form")
)


def locked_errors(
    session: Session,
    definition: FormDefinition,
    organisation_id: int,
    answers: dict[str, Any],
    current: dict[str, Any] | None,
) -> ApiProblem | None:
    """409 structure_locked when a version changes a locked answer: against the questionnaire's current
    version, or, for a new questionnaire (a new action), against the fiche Structure that was validated."""
    # Core, not session.get: this runs in every transmission's write transaction.
    found = session.connection().execute(_VALIDATED_ANSWERS, {"b_org": organisation_id, "b_form": definition.id})
    validated = found.scalar_one_or_none()
    if validated is None:
        return None
    reference = current if current is not None else json.loads(validated)
    errors = [
        p.FieldError(
            field_path=q.id,
            code=p.STRUCTURE_LOCKED,
            message=f"« {q.label} » : la fiche Structure est validée par la Caf, cette réponse ne peut plus changer.",
        )
        for q in locked_questions(definition)
        if canonical_json(answers.get(q.id)) != canonical_json(reference.get(q.id))
    ]
    return ApiProblem(409, p.STRUCTURE_LOCKED, errors=errors) if errors else None
