"""What the list shows of every questionnaire, read in one query from `questionnaire_summary`.

A summary row is computed from the questionnaire's answers, status, versions and outbox once, then
read as is. The schema's triggers (migrations.py) drop a row inside the transaction that changes
what it summarises, so a row is never stale: at worst missing, and rebuilt here, in one write
transaction, from what that transaction reads. After an edit only the edited questionnaire is
recomputed; a list of 1,000 unchanged questionnaires is one SELECT.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.exc import OperationalError

from forms.evaluation import Progress, evaluate
from forms.lifecycle import Action, Status, allowed
from forms.listing import Summary
from forms.store.schema import Answer, Questionnaire, QuestionnaireSummary, Version
from forms.store.schema import Outbox as OutboxRow
from forms.store.store import Store, _iso, utc_now

_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_A = Answer.__table__  # type: ignore[attr-defined]
_V = Version.__table__  # type: ignore[attr-defined]
_O = OutboxRow.__table__  # type: ignore[attr-defined]
_SUM = QuestionnaireSummary.__table__  # type: ignore[attr-defined]


def _compute(store: Store, c: Connection, row: object) -> dict[str, object] | None:
    """The summary of one questionnaire from what `c` reads; None if its form is unknown (not stored:
    the form may arrive with the next sync)."""
    uuid = row.uuid  # type: ignore[attr-defined]
    try:
        definition = store.registry.get(row.form_id, row.form_version)  # type: ignore[attr-defined]
    except KeyError:
        return None
    answers = {
        qid: json.loads(value)
        for qid, value in c.execute(select(_A.c.question_id, _A.c.value).where(_A.c.questionnaire_uuid == uuid))
    }
    evaluation = evaluate(definition, answers)
    pages = evaluation.counted_pages
    versions = c.execute(select(func.count()).where(_V.c.questionnaire_uuid == uuid)).scalar()
    states = sorted({s for (s,) in c.execute(select(_O.c.state).where(_O.c.questionnaire_uuid == uuid))})
    return {
        "questionnaire_uuid": uuid,
        "pages_complete": sum(p.state == Progress.COMPLETE for p in pages),
        "pages_total": len(pages),
        "points": len(evaluation.blocking),
        "campaign": f"Campagne {definition.campaign.school_year} — {definition.title}",
        "campaign_opens": definition.campaign.opens.isoformat(),
        "deletable": int(allowed(Status(row.status), Action.DELETE) and not versions),  # type: ignore[attr-defined]
        "outbox_states": json.dumps(states),
        "computed_at": _iso(utc_now()),
    }


def _select() -> object:
    return (
        select(
            _Q.c.uuid,
            _Q.c.title,
            _Q.c.form_id,
            _Q.c.form_version,
            _Q.c.status,
            _Q.c.updated_at,
            _SUM.c.pages_complete,
            _SUM.c.pages_total,
            _SUM.c.points,
            _SUM.c.campaign,
            _SUM.c.campaign_opens,
            _SUM.c.deletable,
            _SUM.c.outbox_states,
        )  # fmt: skip
        .select_from(_Q.outerjoin(_SUM, _SUM.c.questionnaire_uuid == _Q.c.uuid))
        .order_by(_Q.c.updated_at.desc())
    )


def _rebuild(store: Store, uuids: list[str]) -> dict[str, dict[str, object]]:
    """Compute and store the missing summaries in one write transaction (read there, so consistent)."""
    built: dict[str, dict[str, object]] = {}
    try:
        with store.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as c, c.begin():
            rows = c.execute(select(_Q).where(_Q.c.uuid.in_(uuids))).all()
            for row in rows:
                values = _compute(store, c, row)
                if values is None:
                    continue
                built[row.uuid] = values
                c.execute(insert(_SUM).values(**values).on_conflict_do_nothing())
    except OperationalError:
        return built  # a read-only or busy file: shown now, stored at a later list
    return built


def summaries(store: Store) -> list[Summary]:
    """Every questionnaire, most recently edited first, with what the list shows of it."""
    with store.engine.connect() as c, c.begin():
        rows = c.execute(_select()).all()  # type: ignore[call-overload]
    missing = [r.uuid for r in rows if r.pages_total is None]
    built = _rebuild(store, missing) if missing else {}
    found = []
    for r in rows:
        values: dict[str, object] = dict(r._mapping)
        if r.pages_total is None:
            computed = built.get(r.uuid)
            values |= computed or {
                "pages_complete": None, "pages_total": 0, "points": 0,
                "campaign": f"Définition absente : {r.form_id} version {r.form_version}", "campaign_opens": "",
                "deletable": int(allowed(Status(r.status), Action.DELETE) and not store.versions(r.uuid)),
                "outbox_states": "[]",
            }  # fmt: skip
        found.append(
            Summary(
                uuid=r.uuid,
                title=r.title,
                form_id=r.form_id,
                form_version=r.form_version,
                status=Status(r.status),
                updated_at=dt.datetime.fromisoformat(r.updated_at),
                pages_complete=values["pages_complete"],  # type: ignore[arg-type]
                pages_total=int(values["pages_total"]),  # type: ignore[call-overload]
                points=int(values["points"]),  # type: ignore[call-overload]
                campaign=str(values["campaign"]),
                campaign_opens=str(values["campaign_opens"]),
                deletable=bool(values["deletable"]),
                outbox_states=tuple(json.loads(str(values["outbox_states"]))),
            )
        )
    return found
