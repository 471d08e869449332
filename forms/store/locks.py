"""« Fiche Structure validée par la Caf » (issue 14, seed 001 §2.1): the locked questions of a campaign.

The server tells the partner in its feed (a `structure.locked` change, parsed by the sync package into
`RemoteStructureLock`). The lock is per campaign (form id), not per questionnaire: it holds for every
questionnaire of that form id here, those created afterwards included, and never for another campaign
(carry-over and duplicates into another form id copy answers, not the lock).

A locked answer must stay what the server holds, or the server refuses the version (409
structure_locked): the questionnaire's last server version for one it knows, the validated answers for
a new one. The store refuses the partner's edits of these fields and puts these values back where the
partner could not have changed them himself (a draft when the lock arrives, a transmission).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select

from forms.formatting import local
from forms.lifecycle import Status
from forms.payload import canonical_json
from forms.store.answer_rows import replace_answers
from forms.store.schema import Answer, Questionnaire, StructureLock, Version

_A = Answer.__table__  # type: ignore[attr-defined]
_L = StructureLock.__table__  # type: ignore[attr-defined]
_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_V = Version.__table__  # type: ignore[attr-defined]

# The autosave path asks this for fiche Structure questions only: plain SQL, prepared once by sqlite3.
_LOCKED_IDS = "SELECT question_ids FROM structure_lock WHERE form_id = ?"


@dataclass(frozen=True)
class StructureLockInfo:
    form_id: str
    validated_at: dt.datetime
    question_ids: frozenset[str]
    answers: dict[str, Any]

    def sentence(self) -> str:
        """The line shown on the fiche Structure pages."""
        return (
            f"Fiche Structure validée par la Caf le {local(self.validated_at):%d/%m/%Y} : "
            "ces réponses ne peuvent plus être modifiées."
        )


@dataclass(frozen=True)
class RemoteStructureLock:
    """A lock as the server's feed reports it (parsed from the wire by the sync package)."""

    questionnaire_uuid: str
    form_id: str
    validated_at: str
    question_ids: tuple[str, ...]
    answers: dict[str, Any]


def locked_message(label: str) -> str:
    return f"« {label} » : la fiche Structure est validée par la Caf, cette réponse ne peut plus être modifiée."


def lock_of(c: Connection, form_id: str) -> StructureLockInfo | None:
    row = c.execute(select(_L).where(_L.c.form_id == form_id)).first()
    if row is None:
        return None
    return StructureLockInfo(
        form_id=row.form_id,
        validated_at=dt.datetime.fromisoformat(row.validated_at),
        question_ids=frozenset(json.loads(row.question_ids)),
        answers=json.loads(row.answers),
    )


def locked_ids(c: Connection, form_id: str) -> frozenset[str]:
    raw = c.exec_driver_sql(_LOCKED_IDS, (form_id,)).scalar()
    return frozenset(json.loads(raw)) if raw else frozenset()


def reference(c: Connection, questionnaire_uuid: str, lock: StructureLockInfo) -> dict[str, Any]:
    """What the server holds for its locked answers: its last server version, else the validated answers."""
    base = c.execute(select(_Q.c.base_version_id).where(_Q.c.uuid == questionnaire_uuid)).scalar()
    raw = c.execute(select(_V.c.answers).where(_V.c.version_id == base)).scalar() if base else None
    source = json.loads(raw) if raw else lock.answers
    return {k: v for k, v in source.items() if k in lock.question_ids}


def with_locked(answers: Mapping[str, Any], locked: Mapping[str, Any], lock: StructureLockInfo) -> dict[str, Any]:
    """`answers` whose locked questions hold `locked`'s values (a question absent there: no answer)."""
    kept = {k: v for k, v in answers.items() if k not in lock.question_ids}
    return kept | {k: v for k, v in locked.items() if k in lock.question_ids}


def restore(c: Connection, questionnaire_uuid: str, lock: StructureLockInfo, now: str) -> bool:
    """Put the reference values back into its locked answers; True when something changed."""
    wanted = reference(c, questionnaire_uuid, lock)
    rows = c.execute(
        select(_A.c.question_id, _A.c.value).where(
            _A.c.questionnaire_uuid == questionnaire_uuid, _A.c.question_id.in_(lock.question_ids)
        )
    )
    stored = {qid: json.loads(value) for qid, value in rows}
    if canonical_json(stored) == canonical_json(wanted):
        return False
    replace_answers(c, questionnaire_uuid, wanted, now, only=lock.question_ids)
    return True


def apply_remote_lock(c: Connection, change: RemoteStructureLock, answers: dict[str, Any], now: str) -> set[str]:
    """Inside a feed page's transaction: record the lock, and put the locked values back in the campaign's
    questionnaires that are not Validé. `answers`: the change's answers cleaned against the definition here (a reply
    is untrusted). Returns the questionnaires it changed; none when the lock was known already."""
    question_ids = sorted(set(change.question_ids))
    answers = {k: v for k, v in answers.items() if k in question_ids}
    values = {
        "validated_at": change.validated_at,
        "question_ids": canonical_json(question_ids),
        "answers": canonical_json(answers),
        "questionnaire_uuid": change.questionnaire_uuid,
        "received_at": now,
    }
    if c.execute(select(_L.c.form_id).where(_L.c.form_id == change.form_id)).first() is not None:
        return set()  # validated once for good (seed 001 §2.1): a replayed change changes nothing
    c.execute(insert(_L).values(form_id=change.form_id, **values))
    lock = StructureLockInfo(
        change.form_id, dt.datetime.fromisoformat(change.validated_at), frozenset(question_ids), answers
    )
    rows = c.execute(select(_Q.c.uuid, _Q.c.status).where(_Q.c.form_id == change.form_id)).all()
    for row in rows:
        # Not only the editable ones: a transmission waiting to be sent shows the values the partner will get
        # back if the server refuses it (« Reprendre la saisie »), and they are what the next one sends.
        if not Status(row.status).final:
            restore(c, row.uuid, lock, now)
    # Every questionnaire of the campaign shows its fiche Structure read-only now: the views refresh them.
    return {row.uuid for row in rows}
