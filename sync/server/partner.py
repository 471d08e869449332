"""The partner's reads and uploads: its questionnaire, its change feed, its attachments."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from sqlalchemy import delete, func
from sqlmodel import Session, select

from forms.lifecycle import NoticeState
from sync import protocol as p
from sync.server import feed
from sync.server.accounts import PARTNER
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.models import Account, Attachment, Notice, Questionnaire, Version
from sync.server.problems import ApiProblem, id_taken, not_found
from sync.server.versions import can_see, claim
from sync.server.views import questionnaire_view


def get_questionnaire(ctx: ServerContext, actor: Account, qid: uuid.UUID) -> p.QuestionnaireView:
    with ctx.db.read() as session:
        q = session.get(Questionnaire, qid)
        if q is None or not can_see(actor, q):
            raise not_found()
        current = session.get(Version, q.current_version_id)
        assert current is not None
        notices = session.exec(
            select(Notice)
            .where(Notice.questionnaire_id == qid, Notice.status == NoticeState.OPEN)
            .order_by(Notice.created_at)  # type: ignore[arg-type]
        ).all()
        return questionnaire_view(q, current, list(notices))


def changes(
    ctx: ServerContext, actor: Account, since: str | None, limit: int, accepted: frozenset[str] = frozenset()
) -> p.ChangesPage:
    """`accepted`: the opt-in change kinds (p.OPT_IN_CHANGE_TYPES) this client declared it understands."""
    assert actor.id is not None
    with ctx.db.read() as session:
        return feed.read_page(session, actor.id, since, limit, p.OPT_IN_CHANGE_TYPES - accepted)


def media_type_of(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def store_attachment(
    ctx: ServerContext, actor: Account, qid: uuid.UUID, sha256: str, data: bytes, content_type: str | None
) -> tuple[int, p.AttachmentStored]:
    """Content-addressed upload: 201 the first time, 200 when these bytes are already there."""
    if len(data) > ctx.settings.max_attachment_bytes:
        raise attachment_too_large(ctx)
    media_type = media_type_of(content_type)
    if media_type not in p.ALLOWED_MEDIA_TYPES:
        raise ApiProblem(
            415,
            p.UNSUPPORTED_MEDIA_TYPE,
            "Type de document non accepté : PDF, Word, OpenDocument, JPEG ou PNG",
            detail=f"Content-Type reçu : {media_type or 'aucun'}.",
        )
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ApiProblem(
            422,
            p.PAYLOAD_HASH_MISMATCH,
            "Le document reçu ne correspond pas à son empreinte",
            detail="Le sha256 du corps doit être celui de l'adresse.",
        )
    assert actor.id is not None
    owner_id = actor.id

    def work(session: Session) -> tuple[int, p.AttachmentStored]:
        now = ctx.now()
        q = session.get(Questionnaire, qid)
        if q is not None and not can_see(actor, q):
            raise id_taken()
        claim(session, qid, actor, now)  # an attachment binds the id as a version does
        existing = session.get(Attachment, (qid, sha256))
        if existing is not None:
            return 200, _stored(existing)
        _expire_pending(ctx, session, now)
        pending = session.execute(
            select(func.coalesce(func.sum(Attachment.size), 0)).where(
                Attachment.organisation_id == owner_id,
                Attachment.questionnaire_id.not_in(select(Questionnaire.id)),  # type: ignore[attr-defined]
            )
        ).scalar_one()
        if pending + len(data) > ctx.settings.pending_attachment_quota_bytes:
            raise ApiProblem(
                413,
                p.QUOTA_EXCEEDED,
                f"Trop de pièces jointes en attente de transmission "
                f"({ctx.settings.pending_attachment_quota_bytes // 1_048_576} Mo au maximum) : "
                "transmettez d'abord les questionnaires concernés",
            )
        row = Attachment(
            questionnaire_id=qid,
            sha256=sha256,
            organisation_id=owner_id,
            size=len(data),
            media_type=media_type,
            data=data,
            created_at=now,
        )
        session.add(row)
        return 201, _stored(row)

    return ctx.db.write(work)


def _expire_pending(ctx: ServerContext, session: Session, now: dt.datetime) -> None:
    """Attachments whose questionnaire never got a version are dropped after a while (the claim stays)."""
    attachments = table(Attachment)
    session.execute(
        delete(attachments).where(
            attachments.c.created_at < now - ctx.settings.pending_attachment_ttl,
            attachments.c.questionnaire_id.not_in(select(table(Questionnaire).c.id)),
        )
    )


def attachment_too_large(ctx: ServerContext) -> ApiProblem:
    limit = ctx.settings.max_attachment_bytes
    return ApiProblem(
        413,
        p.ATTACHMENT_TOO_LARGE,
        f"Pièce jointe trop volumineuse : {limit / 1_048_576:.0f} Mo au maximum".replace(".", ","),
    )


def _stored(row: Attachment) -> p.AttachmentStored:
    return p.AttachmentStored(
        questionnaire_id=row.questionnaire_id, sha256=row.sha256, size=row.size, media_type=row.media_type
    )


def read_attachment(ctx: ServerContext, actor: Account, qid: uuid.UUID, sha256: str) -> Attachment:
    """Only the organisation that uploaded it, and that organisation's Caf, may read an attachment."""
    with ctx.db.read() as session:
        row = session.get(Attachment, (qid, sha256))
        if row is None:
            raise not_found()
        if actor.role == PARTNER:
            allowed = row.organisation_id == actor.id
        else:
            uploader = session.get(Account, row.organisation_id)
            allowed = uploader is not None and uploader.caf == actor.caf
        if not allowed:
            raise not_found()
        return row
