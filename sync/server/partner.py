"""The partner's reads and uploads: its questionnaire, its change feed, its attachments."""

from __future__ import annotations

import hashlib
import uuid

from sqlmodel import Session, select

from forms.lifecycle import NoticeState
from sync import protocol as p
from sync.server import feed
from sync.server.context import ServerContext
from sync.server.models import Account, Attachment, Notice, Questionnaire, Version
from sync.server.problems import ApiProblem, not_found
from sync.server.versions import can_see
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
        q = session.get(Questionnaire, qid)
        if q is not None and not can_see(actor, q):
            raise not_found()
        # Before the first version, the questionnaire is known only by the attachments sent for it.
        other = session.exec(
            select(Attachment.organisation_id).where(
                Attachment.questionnaire_id == qid, Attachment.organisation_id != owner_id
            )
        ).first()
        if q is None and other is not None:
            raise not_found()
        existing = session.get(Attachment, (qid, sha256))
        if existing is not None:
            return 200, _stored(existing)
        row = Attachment(
            questionnaire_id=qid,
            sha256=sha256,
            organisation_id=owner_id,
            size=len(data),
            media_type=media_type,
            data=data,
            created_at=ctx.now(),
        )
        session.add(row)
        return 201, _stored(row)

    return ctx.db.write(work)


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
    with ctx.db.read() as session:
        q = session.get(Questionnaire, qid)
        row = session.get(Attachment, (qid, sha256))
        if row is None or (q is not None and not can_see(actor, q)):
            raise not_found()
        if q is None and row.organisation_id != actor.id:
            raise not_found()
        return row
