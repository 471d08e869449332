"""Applying what the server says: versions (including the Caf's edits), statuses and notices.

A page of changes and its cursor are applied in ONE transaction, and applying anything twice
changes nothing. The records here are plain data: the sync package parses the wire format into
them, so forms/ never depends on the network code. Server replies are untrusted: unknown
questions and ill-shaped values are dropped, notices are plain text.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert

from forms.answers import is_answered
from forms.definition import FormDefinition
from forms.lifecycle import (
    OUTBOX_WAITING,
    SERVER_STATES,
    Action,
    NoticeState,
    OutboxState,
    Status,
    next_state,
    server_next_state,
    taken_back_to,
)
from forms.merge import three_way
from forms.payload import canonical_json
from forms.store import backups
from forms.store.answer_rows import replace_answers
from forms.store.errors import NotEditable
from forms.store.locks import RemoteStructureLock, apply_remote_lock
from forms.store.replies import RemoteReply, apply_remote_reply
from forms.store.schema import Answer, Conflict, Notice, Outbox, Questionnaire, SyncState, Version
from forms.store.store import Store, _iso, utc_now
from forms.validators import shape_error

_A = Answer.__table__  # type: ignore[attr-defined]
_C = Conflict.__table__  # type: ignore[attr-defined]
_N = Notice.__table__  # type: ignore[attr-defined]
_O = Outbox.__table__  # type: ignore[attr-defined]
_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_S = SyncState.__table__  # type: ignore[attr-defined]
_V = Version.__table__  # type: ignore[attr-defined]

CURSOR_KEY = "cursor"


@dataclass(frozen=True)
class RemoteVersion:
    questionnaire_uuid: str
    version_id: str
    base_version_id: str | None
    server_rev: int
    author_role: str  # "partner" or "caf"
    form_id: str
    form_version: int
    answers: dict[str, Any]
    payload_sha256: str
    created_at: str


@dataclass(frozen=True)
class RemoteState:
    questionnaire_uuid: str
    state: str  # transmis | a_corriger | valide
    version_id: str
    at: str


@dataclass(frozen=True)
class RemoteNotice:
    questionnaire_uuid: str
    notice_id: str
    version_id: str | None
    question_id: str | None
    message: str
    status: str  # open | resolved
    created_at: str


@dataclass(frozen=True)
class RemoteNoticeResolved:
    questionnaire_uuid: str
    notice_id: str
    resolved_by_version_id: str


RemoteChange = RemoteVersion | RemoteState | RemoteNotice | RemoteNoticeResolved | RemoteReply | RemoteStructureLock


@dataclass
class SyncSummary:
    """What changed locally, for the sentence shown after a sync."""

    states: Counter[str] = field(default_factory=Counter)  # new status -> questionnaires
    notices: int = 0
    caf_edits: int = 0
    conflicts: int = 0
    received: int = 0  # questionnaires that did not exist on this computer
    structure_locks: int = 0  # campaigns whose fiche Structure the Caf validated
    changed: set[str] = field(default_factory=set)  # every questionnaire this pull changed: views refresh only these
    moved: dict[str, str] = field(default_factory=dict)  # questionnaire uuid -> the status it took last (news)

    def add(self, other: SyncSummary) -> None:
        self.states.update(other.states)
        self.notices += other.notices
        self.caf_edits += other.caf_edits
        self.conflicts += other.conflicts
        self.received += other.received
        self.structure_locks += other.structure_locks
        self.changed |= other.changed
        self.moved.update(other.moved)

    def text(self) -> str:
        parts = []
        if self.structure_locks:  # first, as the Caf does it (seed 001 §2.2)
            parts.append("fiche Structure validée par la Caf")
        for status, word in ((Status.VALIDE, "validé"), (Status.A_CORRIGER, "à corriger")):
            n = self.states.get(status.value, 0)
            if n:
                parts.append(
                    f"{n} questionnaire{'s' if n > 1 else ''} {word}{'s' if n > 1 and word != 'à corriger' else ''}"
                )
        if self.notices:
            parts.append(f"{self.notices} remarque{'s' if self.notices > 1 else ''} de la Caf")
        if self.caf_edits:
            parts.append(f"{self.caf_edits} modification{'s' if self.caf_edits > 1 else ''} par la Caf")
        if self.conflicts:
            parts.append(f"{self.conflicts} questionnaire{'s' if self.conflicts > 1 else ''} avec des choix à faire")
        if self.received:
            n = self.received
            parts.append(f"{n} questionnaire{'s' if n > 1 else ''} récupéré{'s' if n > 1 else ''}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ConflictInfo:
    question_id: str
    caf_value: Any
    my_value: Any


class Remote:
    def __init__(self, store: Store) -> None:
        self.store = store

    # --- cursor ------------------------------------------------------------------------------

    def cursor(self) -> str | None:
        with self.store._read() as c:
            return c.execute(select(_S.c.value).where(_S.c.key == CURSOR_KEY)).scalar()

    def advance_cursor(self, expected: str, cursor: str) -> bool:
        """Set the cursor to `cursor` if it is still `expected` (another sync may have moved it)."""
        with self.store._write() as c:
            moved = c.execute(
                update(_S).where(_S.c.key == CURSOR_KEY, _S.c.value == expected).values(value=cursor)
            ).rowcount
        return bool(moved)

    def reset_cursor(self) -> None:
        with self.store._write() as c:
            c.execute(delete(_S).where(_S.c.key == CURSOR_KEY))

    # --- applying a page -------------------------------------------------------------------

    def apply(self, changes: list[RemoteChange], next_cursor: str) -> SyncSummary:
        """Apply one page of the feed and store its cursor, atomically."""
        summary = SyncSummary()
        now = _iso(utc_now())
        # The page commits at once, so only the last state of each questionnaire in it is ever seen:
        # applying a page again then changes nothing, not even the summary.
        last_state = {c.questionnaire_uuid: n for n, c in enumerate(changes) if isinstance(c, RemoteState)}
        if any(isinstance(c, RemoteVersion) and c.author_role == "caf" for c in changes):
            # The Caf's edits are about to change answers: a copy of the file as it was, first.
            backups.backup_if_older_than(self.store.path, backups.SYNC_BACKUP_EVERY, "avant-synchro")
        with self.store._write() as c:
            for n, change in enumerate(changes):
                if isinstance(change, RemoteVersion):
                    self._version(c, change, summary, now)
                elif isinstance(change, RemoteState):
                    if last_state[change.questionnaire_uuid] == n:
                        self._state(c, change, summary)
                elif isinstance(change, RemoteNotice):
                    self._notice(c, change, summary)
                elif isinstance(change, RemoteReply):
                    if apply_remote_reply(c, change, now):
                        summary.changed.add(change.questionnaire_uuid)
                elif isinstance(change, RemoteStructureLock):
                    touched = apply_remote_lock(c, change, self._lock_answers(change), now)
                    summary.changed |= touched
                    summary.structure_locks += bool(touched)
                elif c.execute(
                    update(_N)
                    .where(_N.c.notice_id == change.notice_id, _N.c.status == NoticeState.OPEN)
                    .values(status=NoticeState.RESOLVED, resolved_at=now)
                ).rowcount:
                    summary.changed.add(change.questionnaire_uuid)
            c.execute(
                insert(_S)
                .values(key=CURSOR_KEY, value=next_cursor)
                .on_conflict_do_update(index_elements=["key"], set_={"value": next_cursor})
            )
        return summary

    def _definition(self, form_id: str, form_version: int) -> FormDefinition | None:
        try:
            return self.store.registry.get(form_id, form_version)
        except KeyError:
            return None

    def _lock_answers(self, change: RemoteStructureLock) -> dict[str, Any]:
        """The validated answers, cleaned against the campaign's newest definition here (none without it)."""
        try:
            definition = self.store.registry.get(change.form_id)
        except KeyError:
            return {}
        return self._clean(definition, change.answers)

    def _clean(self, definition: FormDefinition, answers: dict[str, Any]) -> dict[str, Any]:
        """Only known questions with well-shaped values: a reply is untrusted input."""
        known = {q.id: q for q in definition.questions()}
        return {k: v for k, v in answers.items() if k in known and is_answered(v) and not shape_error(known[k], v)}

    def _version(self, c: Connection, change: RemoteVersion, summary: SyncSummary, now: str) -> None:
        definition = self._definition(change.form_id, change.form_version)
        if definition is None:
            return  # a form neither this computer nor the server has (the sync fetches the server's first)
        known = c.execute(select(_V.c.server_rev).where(_V.c.version_id == change.version_id)).first()
        if known is not None:
            # Our own transmission, seen in the feed: the reply to the push may have been lost.
            c.execute(update(_V).where(_V.c.version_id == change.version_id).values(server_rev=change.server_rev))
            if c.execute(
                update(_O)
                .where(_O.c.op_id == change.version_id, _O.c.state == OutboxState.PENDING)
                .values(state=OutboxState.DONE)
            ).rowcount:
                self._advance_base(c, change)
                summary.changed.add(change.questionnaire_uuid)
            return
        answers = self._clean(definition, change.answers)
        row = c.execute(select(_Q).where(_Q.c.uuid == change.questionnaire_uuid)).first()
        if row is None:
            title = (
                definition.text_for_role(answers, "action_place")
                or definition.text_for_role(answers, "commune")
                or "sans titre"
            )
            c.execute(
                _Q.insert().values(
                    uuid=change.questionnaire_uuid, form_id=definition.id, form_version=definition.version,
                    title=f"Action récupérée — {title}", status=server_next_state(None, Action.TRANSMIT),
                    status_changed_at=now,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
            summary.received += 1
            row = c.execute(select(_Q).where(_Q.c.uuid == change.questionnaire_uuid)).first()
        c.execute(
            _V.insert().values(
                version_id=change.version_id, questionnaire_uuid=change.questionnaire_uuid,
                base_version_id=change.base_version_id, author="caf" if change.author_role == "caf" else "partner",
                form_id=definition.id, form_version=definition.version, answers=canonical_json(answers),
                payload_sha256=change.payload_sha256, server_rev=change.server_rev, created_at=change.created_at,
            )
        )  # fmt: skip
        summary.changed.add(change.questionnaire_uuid)
        if change.author_role == "caf":
            summary.caf_edits += 1
        assert row is not None
        pending = c.execute(
            select(func.count()).where(_O.c.questionnaire_uuid == row.uuid, _O.c.state.in_(OUTBOX_WAITING))
        ).scalar()
        if pending:
            return  # our newer transmission is on its way; its stale base is settled when it is refused
        if Status(row.status).editable:
            base = self._version_answers(c, row.base_version_id)
            mine = self._answers(c, row.uuid)
            merged = three_way(base, answers, mine)
            replace_answers(c, row.uuid, merged.merged, now)
            for conflict in merged.conflicts:
                self._record_conflict(c, row.uuid, conflict.question_id, conflict.theirs, conflict.mine, change, now)
            if merged.conflicts:
                summary.conflicts += 1
        else:
            replace_answers(c, row.uuid, answers, now)
        c.execute(update(_Q).where(_Q.c.uuid == row.uuid).values(base_version_id=change.version_id))

    def _advance_base(self, c: Connection, change: RemoteVersion) -> None:
        """A confirmed transmission of ours becomes the base if nothing newer is queued (as mark_sent does)."""
        waiting = c.execute(
            select(func.count()).where(
                _O.c.questionnaire_uuid == change.questionnaire_uuid, _O.c.state.in_(OUTBOX_WAITING)
            )
        ).scalar()
        values: dict[str, Any] = {"base_version_id": change.version_id}
        if not waiting:
            values["status"] = next_state(Status.A_ENVOYER, Action.ACCEPT)
        c.execute(
            update(_Q).where(_Q.c.uuid == change.questionnaire_uuid, _Q.c.status == Status.A_ENVOYER).values(**values)
        )
        c.execute(update(_Q).where(_Q.c.uuid == change.questionnaire_uuid).values(base_version_id=change.version_id))

    def _state(self, c: Connection, change: RemoteState, summary: SyncSummary) -> None:
        row = c.execute(select(_Q.c.status).where(_Q.c.uuid == change.questionnaire_uuid)).first()
        if row is None or change.state not in SERVER_STATES or row.status == change.state:
            return
        if Status(row.status).final or self._older_version(c, change):
            return  # a replayed past state (after a cursor reset): Validé is final, and a newer version was seen
        waiting = c.execute(
            select(func.count()).where(
                _O.c.questionnaire_uuid == change.questionnaire_uuid, _O.c.state.in_(OUTBOX_WAITING)
            )
        ).scalar()
        if waiting:
            return  # a newer local transmission is queued: its own outcome will set the status
        c.execute(
            update(_Q)
            .where(_Q.c.uuid == change.questionnaire_uuid)
            .values(status=change.state, status_changed_at=change.at)
        )
        summary.states[change.state] += 1
        summary.moved[change.questionnaire_uuid] = change.state
        summary.changed.add(change.questionnaire_uuid)

    def _older_version(self, c: Connection, change: RemoteState) -> bool:
        """Whether the state is about a version older than the newest server version seen here."""
        rev = c.execute(select(_V.c.server_rev).where(_V.c.version_id == change.version_id)).scalar()
        newest = c.execute(
            select(func.max(_V.c.server_rev)).where(_V.c.questionnaire_uuid == change.questionnaire_uuid)
        ).scalar()
        return rev is not None and newest is not None and rev < newest

    def _notice(self, c: Connection, change: RemoteNotice, summary: SyncSummary) -> None:
        row = c.execute(select(_Q.c.form_id, _Q.c.form_version).where(_Q.c.uuid == change.questionnaire_uuid)).first()
        if row is None:
            return
        definition = self._definition(row.form_id, row.form_version)
        question_id = change.question_id
        if definition is None or question_id not in {q.id for q in definition.questions()}:
            question_id = None  # an unknown anchor is shown as a general remark, never followed
        inserted = c.execute(
            insert(_N)
            .values(
                notice_id=change.notice_id, questionnaire_uuid=change.questionnaire_uuid, version_id=change.version_id,
                question_id=question_id, message=change.message[:4000], status=change.status,
                created_at=change.created_at,
            )
            .on_conflict_do_nothing()
        ).rowcount  # fmt: skip
        summary.notices += inserted
        if inserted:
            summary.changed.add(change.questionnaire_uuid)

    # --- answers helpers -------------------------------------------------------------------

    def _version_answers(self, c: Connection, version_id: str | None) -> dict[str, Any]:
        if version_id is None:
            return {}
        raw = c.execute(select(_V.c.answers).where(_V.c.version_id == version_id)).scalar()
        return json.loads(raw) if raw else {}

    def _answers(self, c: Connection, questionnaire_uuid: str) -> dict[str, Any]:
        rows = c.execute(select(_A.c.question_id, _A.c.value).where(_A.c.questionnaire_uuid == questionnaire_uuid))
        return {qid: json.loads(value) for qid, value in rows}

    def _record_conflict(
        self, c: Connection, questionnaire_uuid: str, question_id: str, theirs: Any, mine: Any,
        change: RemoteVersion | str, now: str,
    ) -> None:  # fmt: skip
        caf_version = change.version_id if isinstance(change, RemoteVersion) else change
        values = {
            "caf_value": None if theirs is None else canonical_json(theirs),
            "my_value": None if mine is None else canonical_json(mine),
            "caf_version_id": caf_version,
            "created_at": now,
        }
        c.execute(
            insert(_C)
            .values(questionnaire_uuid=questionnaire_uuid, question_id=question_id, **values)
            .on_conflict_do_update(index_elements=["questionnaire_uuid", "question_id"], set_=values)
        )

    # --- stale base at push time -----------------------------------------------------------

    def settle_stale(
        self, op_id: str, *, current_version_id: str, current_answers: dict[str, Any]
    ) -> tuple[str, str | None]:
        """The server has a newer version than our transmission's base: merge field by field.

        Returns ("merged", new_op_id) when every field merged by itself (a new version, based on the
        server's, replaces the stale one in the queue), or ("conflict", None) when some fields were
        changed on both sides: the questionnaire goes back to the partner with those fields to settle.
        """
        from forms.store.outbox import Outbox

        now = _iso(utc_now())
        with self.store._read() as c:
            item = c.execute(select(_O).where(_O.c.op_id == op_id)).first()
            if item is None:
                raise ValueError(f"unknown outbox item {op_id}")
            body = json.loads(item.body)
            definition = self.store.definition(item.questionnaire_uuid)
            base = self._version_answers(c, body["base_version_id"])
        theirs = self._clean(definition, current_answers)
        merged = three_way(base, theirs, body["answers"])
        if merged.clean:
            taken = {k: merged.merged.get(k) for k in merged.theirs_changed}
            return "merged", Outbox(self.store).supersede(
                op_id, answers=merged.merged, base_version_id=current_version_id, taken=taken
            )
        with self.store._write() as c:
            c.execute(update(_O).where(_O.c.op_id == op_id).values(state=OutboxState.SUPERSEDED, updated_at=now))
            replace_answers(c, item.questionnaire_uuid, merged.merged, now)
            for conflict in merged.conflicts:
                self._record_conflict(
                    c, item.questionnaire_uuid, conflict.question_id, conflict.theirs, conflict.mine,
                    current_version_id, now,
                )  # fmt: skip
            c.execute(
                update(_Q)
                .where(_Q.c.uuid == item.questionnaire_uuid)
                .values(
                    base_version_id=current_version_id,
                    status=taken_back_to(known_to_server=True),
                    status_changed_at=now,
                )
            )
        return "conflict", None

    # --- the partner's choices ---------------------------------------------------------------

    def conflicts(self, questionnaire_uuid: str) -> list[ConflictInfo]:
        with self.store._read() as c:
            rows = c.execute(
                select(_C).where(_C.c.questionnaire_uuid == questionnaire_uuid).order_by(_C.c.question_id)
            ).all()
        return [
            ConflictInfo(
                r.question_id,
                json.loads(r.caf_value) if r.caf_value is not None else None,
                json.loads(r.my_value) if r.my_value is not None else None,
            )
            for r in rows
        ]

    def resolve(self, questionnaire_uuid: str, question_id: str, take: str) -> None:
        """Keep the Caf's value (`take="caf"`) or mine (`take="mine"`) for one conflicting field."""
        now = _iso(utc_now())
        with self.store._write() as c:
            status = c.execute(select(_Q.c.status).where(_Q.c.uuid == questionnaire_uuid)).scalar()
            if status is None or not Status(status).editable:
                raise NotEditable("Ce questionnaire ne peut plus être modifié.")
            row = c.execute(
                select(_C).where(_C.c.questionnaire_uuid == questionnaire_uuid, _C.c.question_id == question_id)
            ).first()
            if row is None:
                return
            raw = row.caf_value if take == "caf" else row.my_value
            c.execute(delete(_A).where(_A.c.questionnaire_uuid == questionnaire_uuid, _A.c.question_id == question_id))
            if raw is not None:
                c.execute(
                    _A.insert().values(
                        questionnaire_uuid=questionnaire_uuid, question_id=question_id, value=raw, updated_at=now
                    )
                )
            c.execute(delete(_C).where(_C.c.questionnaire_uuid == questionnaire_uuid, _C.c.question_id == question_id))
            c.execute(update(_Q).where(_Q.c.uuid == questionnaire_uuid).values(updated_at=now))
