"""The transactional outbox: frozen transmissions waiting to be sent, and what became of each attempt.

An item moves pending → done (accepted), or → failed (refused for good: the server's French reason
is kept, the user may retry or take the questionnaire back), or → superseded (replaced by a merged
version after a conflict), or → cancelled (the user took the questionnaire back). No item is ever
deleted: the outbox is also the history of what was sent.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, select, update

from forms.evaluation import transmitted_answers
from forms.lifecycle import OUTBOX_WAITING, Action, OutboxState, allowed, states_allowing, taken_back_to
from forms.payload import canonical_json
from forms.store.freezing import freeze_version
from forms.store.schema import Answer, Questionnaire, Version
from forms.store.schema import Outbox as OutboxRow
from forms.store.store import Store, _iso, utc_now

_A = Answer.__table__  # type: ignore[attr-defined]
_O = OutboxRow.__table__  # type: ignore[attr-defined]
_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_V = Version.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxItem:
    op_id: str  # = the version id, also the Idempotency-Key
    questionnaire_uuid: str
    body: str  # the exact bytes sent on every attempt
    state: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error_code: str | None
    last_error_message: str | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> OutboxItem:
        return cls(
            op_id=row.op_id,
            questionnaire_uuid=row.questionnaire_uuid,
            body=row.body,
            state=row.state,
            attempts=row.attempts,
            next_attempt_at=dt.datetime.fromisoformat(row.next_attempt_at) if row.next_attempt_at else None,
            last_error_code=row.last_error_code,
            last_error_message=row.last_error_message,
            created_at=dt.datetime.fromisoformat(row.created_at),
        )

    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)


_MANY = 400  # receipts per statement (SQLite's bound variables)
_SET_SERVER_REV = update(_V).where(_V.c.version_id == bindparam("b_id")).values(server_rev=bindparam("b_rev"))
_SETTLE_BASE = update(_Q).where(_Q.c.uuid == bindparam("b_uuid")).values(base_version_id=bindparam("b_base"))
_SETTLE_WITH_STATUS = (
    update(_Q)
    .where(_Q.c.uuid == bindparam("b_uuid"))
    .values(base_version_id=bindparam("b_base"), status=bindparam("b_status"), status_changed_at=bindparam("b_at"))
)

MAX_POSTPONEMENT = dt.timedelta(hours=6)
"""The longest an item waits for its next attempt. A deadline further ahead was set by a clock that
was wrong (a year ahead, then corrected): the item is due now rather than stranded for a year."""


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store

    def sendable(self, now: dt.datetime | None = None) -> list[OutboxItem]:
        """The oldest pending item of each questionnaire, when due: a questionnaire's versions go in order."""
        current = now or utc_now()
        moment = _iso(current)
        too_far = (
            _iso(current + MAX_POSTPONEMENT)
            if current < dt.datetime.max.replace(tzinfo=dt.UTC) - MAX_POSTPONEMENT
            else None
        )
        due = (_O.c.next_attempt_at.is_(None)) | (_O.c.next_attempt_at <= moment)
        if too_far is not None:
            due = due | (_O.c.next_attempt_at > too_far)
        first = (
            select(_O.c.questionnaire_uuid, func.min(_O.c.created_at).label("created_at"))
            .where(_O.c.state == OutboxState.PENDING)
            .group_by(_O.c.questionnaire_uuid)
            .subquery()
        )
        query = (
            select(_O)
            .join(
                first,
                and_(_O.c.questionnaire_uuid == first.c.questionnaire_uuid, _O.c.created_at == first.c.created_at),
            )
            .where(_O.c.state == OutboxState.PENDING, due)
            .order_by(_O.c.created_at)
        )
        with self.store._read() as c:
            return [OutboxItem.from_row(r) for r in c.execute(query)]

    def count(self, state: OutboxState = OutboxState.PENDING) -> int:
        with self.store._read() as c:
            return int(c.execute(select(func.count()).where(_O.c.state == state)).scalar() or 0)

    def items(self, questionnaire_uuid: str) -> list[OutboxItem]:
        with self.store._read() as c:
            rows = c.execute(select(_O).where(_O.c.questionnaire_uuid == questionnaire_uuid).order_by(_O.c.created_at))
            return [OutboxItem.from_row(r) for r in rows]

    def will_send(self, questionnaire_uuid: str) -> bool:
        """Something of this questionnaire waits to leave at the next sync (not refused for good)."""
        return any(OutboxState(i.state) is OutboxState.PENDING for i in self.items(questionnaire_uuid))

    def failure(self, questionnaire_uuid: str) -> OutboxItem | None:
        """The refused transmission that keeps this questionnaire waiting, if any."""
        if not allowed(self.store.get(questionnaire_uuid).status, Action.RETRY):
            return None
        failed = [i for i in self.items(questionnaire_uuid) if i.state == OutboxState.FAILED]
        return failed[-1] if failed else None

    # --- outcomes of an attempt -----------------------------------------------------------

    def mark_sent(self, op_id: str, *, server_rev: int, state: str) -> None:
        """The server holds this version: done, and the questionnaire takes the server's state."""
        self.mark_sent_many([(op_id, server_rev, state)])

    def mark_sent_many(self, receipts: list[tuple[str, int, str]]) -> None:
        """mark_sent for each (op id, server rev, state), all in one transaction (one fsync for a batch).

        Set-wise, a statement per kind of change rather than five per receipt (a batch of 50 went from
        250 statements to 5); the outcome is the one of applying the receipts one after the other.
        """
        now = _iso(utc_now())
        with self.store._write() as c:
            for start in range(0, len(receipts), _MANY):
                self._sent(c, receipts[start : start + _MANY], now)

    def _sent(self, c: Connection, receipts: list[tuple[str, int, str]], now: str) -> None:
        revs = {op_id: (server_rev, state) for op_id, server_rev, state in receipts}
        owners: dict[str, str] = {
            row.op_id: row.questionnaire_uuid
            for row in c.execute(select(_O.c.op_id, _O.c.questionnaire_uuid).where(_O.c.op_id.in_(list(revs))))
        }
        found = [op_id for op_id, _rev, _state in receipts if op_id in owners]  # in the receipts' order
        if not found:
            return
        c.execute(update(_O).where(_O.c.op_id.in_(found)).values(state=OutboxState.DONE, updated_at=now))
        c.execute(_SET_SERVER_REV, [{"b_id": op_id, "b_rev": revs[op_id][0]} for op_id in found])
        # After an accepted version: it becomes the base; the status follows unless another send is
        # queued. For two receipts of one questionnaire, the later one is what applying both leaves.
        last = {owners[op_id]: op_id for op_id in found}
        waiting = set(
            c.execute(
                select(_O.c.questionnaire_uuid).where(
                    _O.c.questionnaire_uuid.in_(list(last)), _O.c.state.in_(OUTBOX_WAITING)
                )
            ).scalars()
        )
        settled = [{"b_uuid": q, "b_base": op_id, "b_status": revs[op_id][1]} for q, op_id in last.items()]
        if free := [row for row in settled if row["b_uuid"] not in waiting]:
            c.execute(_SETTLE_WITH_STATUS, [{**row, "b_at": now} for row in free])
        if held := [row for row in settled if row["b_uuid"] in waiting]:
            c.execute(_SETTLE_BASE, [{"b_uuid": row["b_uuid"], "b_base": row["b_base"]} for row in held])

    def mark_retry(self, op_id: str, *, code: str, message: str, next_attempt_at: dt.datetime) -> None:
        """An unknown outcome (network, 5xx, broken reply): try again later with the same key and body."""
        self._attempted(op_id, OutboxState.PENDING, code, message, _iso(next_attempt_at))

    def mark_refused(self, op_id: str, *, code: str, message: str) -> None:
        """A final refusal: kept with the server's reason; the user may retry it or take the questionnaire back."""
        self._attempted(op_id, OutboxState.FAILED, code, message, None)

    def _attempted(self, op_id: str, state: OutboxState, code: str, message: str, next_attempt_at: str | None) -> None:
        with self.store._write() as c:
            c.execute(
                update(_O)
                .where(_O.c.op_id == op_id, _O.c.state.in_(OUTBOX_WAITING))
                .values(
                    state=state,
                    attempts=_O.c.attempts + 1,
                    next_attempt_at=next_attempt_at,
                    last_error_code=code,
                    last_error_message=message,
                    updated_at=_iso(utc_now()),
                )
            )

    # --- the user's choices ---------------------------------------------------------------

    def retry(self, questionnaire_uuid: str) -> None:
        """« Réessayer »: the refused items of this questionnaire go back to the queue, same key and body."""
        with self.store._write() as c:
            c.execute(
                update(_O)
                .where(_O.c.questionnaire_uuid == questionnaire_uuid, _O.c.state == OutboxState.FAILED)
                .values(state=OutboxState.PENDING, next_attempt_at=None, updated_at=_iso(utc_now()))
            )

    def withdraw(self, questionnaire_uuid: str) -> None:
        """« Reprendre la saisie »: the refused transmission is cancelled (kept in history) and the
        questionnaire becomes editable again, as a draft or as returned by the Caf."""
        now = _iso(utc_now())
        with self.store._write() as c:
            c.execute(
                update(_O)
                .where(_O.c.questionnaire_uuid == questionnaire_uuid, _O.c.state.in_(OUTBOX_WAITING))
                .values(state=OutboxState.CANCELLED, updated_at=now)
            )
            accepted = c.execute(
                select(func.count()).where(_V.c.questionnaire_uuid == questionnaire_uuid, _V.c.server_rev.is_not(None))
            ).scalar()
            status = taken_back_to(known_to_server=bool(accepted))
            c.execute(
                update(_Q)
                .where(_Q.c.uuid == questionnaire_uuid, _Q.c.status.in_(states_allowing(Action.TAKE_BACK)))
                .values(status=status.value, status_changed_at=now)
            )

    def supersede(
        self,
        op_id: str,
        *,
        answers: dict[str, Any],
        base_version_id: str,
        taken: dict[str, Any] | None = None,
    ) -> str:
        """Replace a stale transmission by a merged one based on the server's current version (same txn).

        `taken`: the answers the merge took from the server's version (None: cleared there); they
        are written into the local answers too, so that what the partner sees is what was sent.
        """
        now = _iso(utc_now())
        with self.store._write() as c:
            item = c.execute(select(_O).where(_O.c.op_id == op_id)).first()
            if item is None or not OutboxState(item.state).waiting:
                raise ValueError(f"outbox item {op_id} is not waiting")
            definition = self.store.definition(item.questionnaire_uuid)
            c.execute(update(_O).where(_O.c.op_id == op_id).values(state=OutboxState.SUPERSEDED, updated_at=now))
            c.execute(update(_Q).where(_Q.c.uuid == item.questionnaire_uuid).values(base_version_id=base_version_id))
            for question_id, value in (taken or {}).items():
                where = (_A.c.questionnaire_uuid == item.questionnaire_uuid) & (_A.c.question_id == question_id)
                c.execute(delete(_A).where(where))
                if value is not None:
                    c.execute(
                        _A.insert().values(
                            questionnaire_uuid=item.questionnaire_uuid,
                            question_id=question_id,
                            value=canonical_json(value),
                            updated_at=now,
                        )
                    )
            return freeze_version(
                c,
                definition=definition,
                questionnaire_uuid=item.questionnaire_uuid,
                answers=transmitted_answers(definition, answers),
                base_version_id=base_version_id,
                now=now,
            )
