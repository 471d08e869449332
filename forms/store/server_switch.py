"""Switching servers: what the new server lacks goes back to the outbox.

The local remote state (versions' server revisions, the base version, the feed cursor) describes
one server. When the user logs in to another one (another server id), that state means nothing
there: a « Transmis » questionnaire was never sent to it. Each is queued again as a first
transmission (no base version), with the answers the old server last held; a waiting transmission
built on the old server's base is replaced by the same answers without a base. Validé stays Validé
(locked for good by the old Caf) and À corriger stays editable; both simply lose the old base.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select, update

from forms.lifecycle import Action, OutboxState, Status, next_state
from forms.store.freezing import freeze_version
from forms.store.schema import Outbox, Questionnaire, Version
from forms.store.store import Store, _iso, utc_now

_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_V = Version.__table__  # type: ignore[attr-defined]
_O = Outbox.__table__  # type: ignore[attr-defined]


@dataclass
class Requeued:
    requeued: list[str] = field(default_factory=list)  # queued again for the new server
    rebased: list[str] = field(default_factory=list)  # waiting transmissions rebuilt without the old base
    kept: list[str] = field(default_factory=list)  # Validé or À corriger: nothing to send now


def known_to_a_server(store: Store) -> bool:
    """True when some questionnaire here was accepted by the current server (state tied to it)."""
    with store._read() as c:
        return c.execute(select(_V.c.version_id).where(_V.c.server_rev.is_not(None)).limit(1)).first() is not None


def requeue_for_new_server(store: Store) -> Requeued:
    """In one transaction: forget the old server's base versions and queue again what the new one lacks."""
    report = Requeued()
    now = _iso(utc_now())
    with store._write() as c:
        rows = c.execute(select(_Q.c.uuid, _Q.c.status, _Q.c.base_version_id)).all()
        for row in rows:
            definition = store.definition(row.uuid)
            status = Status(row.status)
            pending = c.execute(
                select(_O.c.op_id, _O.c.body).where(
                    _O.c.questionnaire_uuid == row.uuid, _O.c.state == OutboxState.PENDING
                )
            ).all()
            for item in pending:
                if json.loads(item.body).get("base_version_id") is None:
                    continue  # a first transmission: valid on any server
                answers = json.loads(c.execute(select(_V.c.answers).where(_V.c.version_id == item.op_id)).scalar_one())
                c.execute(
                    update(_O).where(_O.c.op_id == item.op_id).values(state=OutboxState.SUPERSEDED, updated_at=now)
                )
                freeze_version(
                    c,
                    definition=definition,
                    questionnaire_uuid=row.uuid,
                    answers=answers,
                    base_version_id=None,
                    now=now,
                )
                report.rebased.append(row.uuid)
            if status is Status.TRANSMIS and not pending and row.base_version_id:
                answers = json.loads(
                    c.execute(select(_V.c.answers).where(_V.c.version_id == row.base_version_id)).scalar_one()
                )
                freeze_version(
                    c,
                    definition=definition,
                    questionnaire_uuid=row.uuid,
                    answers=answers,
                    base_version_id=None,
                    now=now,
                )
                state = next_state(status, Action.REQUEUE)
                c.execute(update(_Q).where(_Q.c.uuid == row.uuid).values(status=state, status_changed_at=now))
                report.requeued.append(row.uuid)
            elif row.base_version_id and status in (Status.VALIDE, Status.A_CORRIGER):
                report.kept.append(row.uuid)
            c.execute(update(_Q).where(_Q.c.uuid == row.uuid).values(base_version_id=None))
        # The old server's receipts stay as history (server_rev) but no longer stand for this server.
        c.execute(update(_O).where(_O.c.state == OutboxState.DONE).values(state=OutboxState.SUPERSEDED, updated_at=now))
    return report
