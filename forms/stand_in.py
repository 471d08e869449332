"""A stand-in definition for a questionnaire whose own definition is missing on this computer.

A definition can be set aside (damaged, written by a newer version) or not received yet. Its
questionnaires must still open, export and print: the stand-in shows every stored answer as it is,
one field per answer, labelled by its question id, read-only (the store refuses edits on it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from forms.definition import FormDefinition

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
STAND_IN_PAGE = "reponses_enregistrees"


def _option(value: str) -> dict[str, str] | None:
    return {"id": value, "label": value} if _IDENTIFIER.match(value) else None


def _question(question_id: str, value: Any) -> dict[str, Any]:
    """A question whose type accepts `value` as stored (DESIGN §4 answer shapes)."""
    base: dict[str, Any] = {"id": question_id, "label": question_id}
    if isinstance(value, bool):
        return base | {"type": "yes_no"}
    if isinstance(value, int):
        return base | {"type": "integer"}
    if isinstance(value, float):
        return base | {"type": "decimal"}
    if isinstance(value, list) and value and all(isinstance(v, str) and _option(v) for v in value):
        return base | {"type": "multiple_choice", "choices": [_option(v) for v in dict.fromkeys(value)]}
    if isinstance(value, dict) and {"name", "sha256"} <= value.keys():
        return base | {"type": "file"}
    if (
        isinstance(value, dict)
        and value
        and all(_option(str(k)) and isinstance(v, str) and _option(v) for k, v in value.items())
    ):
        return base | {
            "type": "matrix",
            "rows": [_option(str(k)) for k in value],
            "choices": [_option(v) for v in dict.fromkeys(value.values())],
        }
    return base | {"type": "long_text"}


def stand_in_definition(form_id: str, version: int, answers: Mapping[str, Any]) -> FormDefinition:
    """One page holding every stored answer; its title says the real definition is missing."""
    questions = [_question(qid, value) for qid, value in sorted(answers.items()) if _IDENTIFIER.match(qid)]
    if not questions:
        questions = [{"id": "aucune_reponse", "type": "long_text", "label": "Aucune réponse enregistrée"}]
    return FormDefinition.model_validate(
        {
            "id": form_id if re.match(r"^[a-z][a-z0-9_-]*$", form_id) else "formulaire-absent",
            "version": max(version, 1),
            "title": f"Définition absente : {form_id} version {version}",
            "campaign": {"school_year": "0000-0000", "opens": dt.date.min, "closes": dt.date.min},
            "pages": [
                {
                    "id": STAND_IN_PAGE,
                    "title": "Réponses enregistrées",
                    "part": "action",
                    "intro": (
                        f"La définition du formulaire {form_id} (version {version}) est absente de cet "
                        "ordinateur : les réponses sont affichées telles qu'elles sont enregistrées, en "
                        "lecture seule. Synchronisez pour recevoir la définition."
                    ),
                    "questions": questions,
                }
            ],
        }
    )


def missing_definition_message(form_id: str, version: int) -> str:
    return (
        f"La définition du formulaire {form_id} (version {version}) est absente de cet ordinateur : "
        "ce questionnaire s'ouvre en lecture seule. Synchronisez pour la recevoir."
    )
