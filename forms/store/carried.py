"""Store tables of issue 12: pages carried from an earlier bilan (« à vérifier »), archived answers.

Each function is one transaction on the store's file, like the store's own methods.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert

from forms.payload import canonical_json
from forms.store.schema import ArchivedAnswer, CarriedPage
from forms.store.store import Store, _iso, utc_now

_CP = CarriedPage.__table__  # type: ignore[attr-defined]
_AA = ArchivedAnswer.__table__  # type: ignore[attr-defined]


def mark_carried(store: Store, questionnaire_uuid: str, page_ids: Iterable[str], source_uuid: str | None) -> None:
    now = _iso(utc_now())
    rows = [
        {"questionnaire_uuid": questionnaire_uuid, "page_id": p, "source_uuid": source_uuid, "created_at": now}
        for p in sorted(set(page_ids))
    ]
    if rows:
        with store._write() as c:
            c.execute(insert(_CP).on_conflict_do_nothing(), rows)


def pages_to_check(store: Store, questionnaire_uuid: str) -> set[str]:
    """Pages prefilled from an earlier bilan that the user has not looked at yet."""
    with store._read() as c:
        return set(c.execute(select(_CP.c.page_id).where(_CP.c.questionnaire_uuid == questionnaire_uuid)).scalars())


def page_checked(store: Store, questionnaire_uuid: str, page_id: str) -> None:
    """The user has looked at the page: it is no longer « à vérifier »."""
    with store._write() as c:
        c.execute(delete(_CP).where(_CP.c.questionnaire_uuid == questionnaire_uuid, _CP.c.page_id == page_id))


def archive(c: Connection, questionnaire_uuid: str, form_version: int, answers: Mapping[str, Any], now: str) -> None:
    """Keep answers that have no question any more, inside the caller's transaction."""
    if answers:
        c.execute(
            insert(_AA).on_conflict_do_nothing(),
            [
                {
                    "questionnaire_uuid": questionnaire_uuid,
                    "question_id": qid,
                    "form_version": form_version,
                    "value": canonical_json(value),
                    "archived_at": now,
                }
                for qid, value in sorted(answers.items())
            ],
        )


def archived_answers(store: Store, questionnaire_uuid: str) -> list[dict[str, Any]]:
    """Every archived answer: question id, the definition version that had it, value, when."""
    with store._read() as c:
        rows = c.execute(
            select(_AA)
            .where(_AA.c.questionnaire_uuid == questionnaire_uuid)
            .order_by(_AA.c.form_version, _AA.c.question_id)
        ).all()
    return [
        {
            "question_id": r.question_id,
            "form_version": r.form_version,
            "value": json.loads(r.value),
            "archived_at": r.archived_at,
        }
        for r in rows
    ]
