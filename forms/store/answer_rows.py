"""Writing a questionnaire's answer rows: one way for every writer that replaces them wholesale."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, delete, update

from forms.payload import canonical_json
from forms.store.schema import Answer, Questionnaire

__all__ = ["replace_answers"]

_A = Answer.__table__  # type: ignore[attr-defined]
_Q = Questionnaire.__table__  # type: ignore[attr-defined]


def replace_answers(
    c: Connection, questionnaire_uuid: str, answers: dict[str, Any], now: str, only: Collection[str] | None = None
) -> None:
    """Replace the questionnaire's answers (or only those of the `only` questions) by `answers`, and touch it."""
    condition = _A.c.questionnaire_uuid == questionnaire_uuid
    if only is not None:
        condition = condition & _A.c.question_id.in_(list(only))
    c.execute(delete(_A).where(condition))
    if answers:
        c.execute(
            _A.insert(),
            [
                {"questionnaire_uuid": questionnaire_uuid, "question_id": k, "value": canonical_json(v),
                 "updated_at": now}
                for k, v in answers.items()
            ],  # fmt: skip
        )
    c.execute(update(_Q).where(_Q.c.uuid == questionnaire_uuid).values(updated_at=now))
