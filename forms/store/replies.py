"""The partner's replies to the Caf's notices: written here at once, then sent by the sync.

A reply gets its id (a UUID, the idempotency key) and its text when it is written, and both stay
the same on every attempt, so a crash or a retry can never make the server hold it twice. A reply
moves pending → sent (the server holds it), or → failed (refused for good, with the server's
French reason). Replies received in the feed (written on another computer) arrive as sent.
"""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects.sqlite import insert

from forms.lifecycle import Action, ReplyState, Status, allowed, refusal
from forms.store.errors import InvalidAnswer, NotEditable, NotFound
from forms.store.schema import Notice, NoticeReply, Questionnaire
from forms.store.store import Store, _iso, utc_now

_N = Notice.__table__  # type: ignore[attr-defined]
_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_R = NoticeReply.__table__  # type: ignore[attr-defined]

MAX_REPLY_CHARS = 2000  # the protocol's limit for a notice or a reply (sync.protocol.MAX_NOTICE_CHARS)


@dataclass(frozen=True)
class ReplyInfo:
    reply_id: str
    notice_id: str
    questionnaire_uuid: str
    message: str
    state: ReplyState
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error_message: str | None
    created_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> ReplyInfo:
        return cls(
            reply_id=row.reply_id,
            notice_id=row.notice_id,
            questionnaire_uuid=row.questionnaire_uuid,
            message=row.message,
            state=ReplyState(row.state),
            attempts=row.attempts,
            next_attempt_at=dt.datetime.fromisoformat(row.next_attempt_at) if row.next_attempt_at else None,
            last_error_message=row.last_error_message,
            created_at=dt.datetime.fromisoformat(row.created_at),
        )


@dataclass(frozen=True)
class RemoteReply:
    """A reply as the server's feed reports it (parsed from the wire by the sync package)."""

    questionnaire_uuid: str
    reply_id: str
    notice_id: str
    message: str
    created_at: str


class Replies:
    def __init__(self, store: Store) -> None:
        self.store = store

    def add(self, notice_id: str, message: str) -> str:
        """Write a reply to a notice, queued for the next sync; return its id."""
        text = message.strip()
        if not text:
            raise InvalidAnswer("La réponse est vide : écrivez votre message à la Caf.")
        if len(text) > MAX_REPLY_CHARS:
            raise InvalidAnswer(f"La réponse est trop longue : {MAX_REPLY_CHARS} caractères au plus.")
        now = _iso(utc_now())
        reply_id = str(uuidlib.uuid4())
        with self.store._write() as c:
            notice = c.execute(select(_N.c.questionnaire_uuid).where(_N.c.notice_id == notice_id)).first()
            if notice is None:
                raise NotFound(f"Remarque de la Caf introuvable : {notice_id}")
            status = c.execute(select(_Q.c.status).where(_Q.c.uuid == notice.questionnaire_uuid)).scalar_one()
            if not allowed(Status(status), Action.REPLY_NOTICE):
                raise NotEditable(refusal(Status(status), Action.REPLY_NOTICE))
            c.execute(
                insert(_R).values(
                    reply_id=reply_id, notice_id=notice_id, questionnaire_uuid=notice.questionnaire_uuid,
                    message=text, state=ReplyState.PENDING, attempts=0, created_at=now, updated_at=now,
                )
            )  # fmt: skip
        return reply_id

    def of_questionnaire(self, questionnaire_uuid: str) -> list[ReplyInfo]:
        with self.store._read() as c:
            rows = c.execute(
                select(_R).where(_R.c.questionnaire_uuid == questionnaire_uuid).order_by(_R.c.created_at, _R.c.reply_id)
            )
            return [ReplyInfo.from_row(r) for r in rows]

    def by_notice(self, questionnaire_uuid: str) -> dict[str, list[ReplyInfo]]:
        grouped: dict[str, list[ReplyInfo]] = {}
        for reply in self.of_questionnaire(questionnaire_uuid):
            grouped.setdefault(reply.notice_id, []).append(reply)
        return grouped

    def sendable(self, now: dt.datetime | None = None) -> list[ReplyInfo]:
        """Pending replies that are due, oldest first."""
        moment = _iso(now or utc_now())
        with self.store._read() as c:
            rows = c.execute(
                select(_R)
                .where(
                    _R.c.state == ReplyState.PENDING,
                    _R.c.next_attempt_at.is_(None) | (_R.c.next_attempt_at <= moment),
                )
                .order_by(_R.c.created_at, _R.c.reply_id)
            )
            return [ReplyInfo.from_row(r) for r in rows]

    def count(self, state: ReplyState = ReplyState.PENDING) -> int:
        with self.store._read() as c:
            return int(c.execute(select(func.count()).where(_R.c.state == state)).scalar() or 0)

    # --- outcomes of an attempt -------------------------------------------------------------

    def mark_sent(self, reply_id: str) -> None:
        with self.store._write() as c:
            c.execute(
                update(_R)
                .where(_R.c.reply_id == reply_id)
                .values(state=ReplyState.SENT, next_attempt_at=None, updated_at=_iso(utc_now()))
            )

    def mark_retry(self, reply_id: str, *, code: str, message: str, next_attempt_at: dt.datetime) -> None:
        self._attempted(reply_id, ReplyState.PENDING, code, message, _iso(next_attempt_at))

    def mark_refused(self, reply_id: str, *, code: str, message: str) -> None:
        self._attempted(reply_id, ReplyState.FAILED, code, message, None)

    def _attempted(self, reply_id: str, state: ReplyState, code: str, message: str, next_at: str | None) -> None:
        with self.store._write() as c:
            c.execute(
                update(_R)
                .where(_R.c.reply_id == reply_id, _R.c.state == ReplyState.PENDING)
                .values(
                    state=state, attempts=_R.c.attempts + 1, next_attempt_at=next_at, last_error_code=code,
                    last_error_message=message[:1000], updated_at=_iso(utc_now()),
                )
            )  # fmt: skip


def apply_remote_reply(c: Connection, change: RemoteReply, now: str) -> bool:
    """Inside a feed page's transaction: the server holds this reply. True when something changed here."""
    if c.execute(select(_Q.c.uuid).where(_Q.c.uuid == change.questionnaire_uuid)).first() is None:
        return False
    inserted = c.execute(
        insert(_R)
        .values(
            reply_id=change.reply_id, notice_id=change.notice_id, questionnaire_uuid=change.questionnaire_uuid,
            message=change.message[:MAX_REPLY_CHARS], state=ReplyState.SENT, attempts=0,
            created_at=change.created_at, updated_at=now,
        )
        .on_conflict_do_nothing()
    ).rowcount  # fmt: skip
    if inserted:
        return True
    # Ours, still waiting: the send got through though its answer was lost.
    return bool(
        c.execute(
            update(_R)
            .where(_R.c.reply_id == change.reply_id, _R.c.state != ReplyState.SENT)
            .values(state=ReplyState.SENT, next_attempt_at=None, updated_at=now)
        ).rowcount
    )
