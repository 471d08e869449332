"""The partner's replies to the Caf's notices (protocol: POST …/notices/{nid}/replies/{rid}).

The reply id is made by the client and is the idempotency key: the reply row itself is the record,
so an identical repeat replays the stored reply forever, and any other use of the id is refused.
The Caf console and the reviewer's API read them with `replies_for`.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlmodel import Session, col, select

from forms.lifecycle import Action, Status, allowed
from sync import protocol as p
from sync.server import feed
from sync.server.context import ServerContext
from sync.server.models import Account, Notice, NoticeReply
from sync.server.problems import ApiProblem, not_editable, not_found
from sync.server.versions import audit, can_see, lock_questionnaire


def reply_view(reply: NoticeReply, author: Account) -> p.ReplyView:
    return p.ReplyView(
        reply_id=reply.id,
        notice_id=reply.notice_id,
        questionnaire_id=reply.questionnaire_id,
        message=reply.message,
        author=author.email,
        created_at=reply.created_at,
    )


def replies_for(session: Session, questionnaire_uuid: uuid.UUID) -> dict[uuid.UUID, list[p.ReplyView]]:
    """The replies of one questionnaire, per notice id, oldest first (notices without reply are absent)."""
    rows = session.exec(
        select(NoticeReply, Account)
        .where(NoticeReply.questionnaire_id == questionnaire_uuid, NoticeReply.author_id == Account.id)
        .order_by(col(NoticeReply.created_at), col(NoticeReply.id))
    ).all()
    replies: dict[uuid.UUID, list[p.ReplyView]] = defaultdict(list)
    for reply, author in rows:
        replies[reply.notice_id].append(reply_view(reply, author))
    return dict(replies)


def add_reply(
    ctx: ServerContext, actor: Account, qid: uuid.UUID, notice_id: uuid.UUID, reply_id: uuid.UUID, body: p.ReplyCreate
) -> tuple[int, p.ReplyView]:
    """201 with the new reply; 200 with the same reply for an identical repeat; else an ApiProblem."""
    message = body.message.strip()
    if not message:
        raise ApiProblem(
            422, p.VALIDATION, errors=[p.FieldError(field_path="message", code="required", message="Réponse vide.")]
        )
    now = ctx.now()
    assert actor.id is not None
    author_id = actor.id

    def work(session: Session) -> tuple[int, p.ReplyView]:
        q = lock_questionnaire(session, qid)  # serialises the replies of one questionnaire, as versions
        if q is None or not can_see(actor, q):
            raise not_found()
        existing = session.get(NoticeReply, reply_id)
        if existing is not None:
            if (existing.author_id, existing.questionnaire_id, existing.notice_id, existing.message) == (
                actor.id,
                qid,
                notice_id,
                message,
            ):
                return 200, reply_view(existing, actor)
            raise ApiProblem(
                422, p.IDEMPOTENCY_MISMATCH, "Cet identifiant de réponse a déjà servi pour un autre message"
            )
        notice = session.get(Notice, notice_id)
        if notice is None or notice.questionnaire_id != qid:
            raise not_found()
        if not allowed(Status(q.state), Action.REPLY_NOTICE, on_server=True):
            raise not_editable(q.state)
        reply = NoticeReply(
            id=reply_id, notice_id=notice_id, questionnaire_id=qid, author_id=author_id, message=message, created_at=now
        )
        session.add(reply)
        view = reply_view(reply, actor)
        feed.emit(session, q.organisation_id, qid, [view], now)
        audit(session, actor, q, "reply", {"notice_id": str(notice_id), "reply_id": str(reply_id)}, now)
        return 201, view

    return ctx.db.write(work)
