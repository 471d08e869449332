"""The Caf's side: list and read its questionnaires, add notices, return, validate (DESIGN §5, §6).

`caf=None` (the local administration CLI) reaches every Caf; the HTTP routes always pass the
reviewer's own Caf, and anything outside it is 404, so existence never leaks.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func
from sqlmodel import Session, col, select

from forms.lifecycle import (
    Action,
    NotAllowed,
    NoticeState,
    Status,
    allowed,
    check_validation_order,
    server_next_state,
)
from forms.payload import canonical_json
from sync import protocol as p
from sync.server import feed, mail, structure
from sync.server.checks import definition_for
from sync.server.context import ServerContext
from sync.server.models import Account, AuditEntry, Notice, Questionnaire, StructureValidation, Version
from sync.server.problems import ApiProblem, not_editable, not_found
from sync.server.replies import replies_for
from sync.server.versions import audit, lock_questionnaire, state_data
from sync.server.views import audit_view, notice_view, review_summary, version_view


def _visible(q: Questionnaire | None, caf: str | None) -> Questionnaire:
    if q is None or (caf is not None and q.caf != caf):
        raise not_found()
    return q


def _open_counts(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    if not ids:
        return {}
    rows = session.exec(
        select(Notice.questionnaire_id, func.count())
        .where(col(Notice.questionnaire_id).in_(ids), Notice.status == NoticeState.OPEN)
        .group_by(Notice.questionnaire_id)  # type: ignore[arg-type]
    ).all()
    return {qid: int(n) for qid, n in rows}


def list_questionnaires(ctx: ServerContext, caf: str | None, state: str | None = None) -> p.ReviewList:
    with ctx.db.read() as session:
        query = select(Questionnaire, Account).where(Questionnaire.organisation_id == Account.id)
        if caf is not None:
            query = query.where(Questionnaire.caf == caf)
        if state is not None:
            query = query.where(Questionnaire.state == state)
        rows = session.exec(query.order_by(col(Questionnaire.updated_at).desc())).all()
        counts = _open_counts(session, [q.id for q, _ in rows])
        return p.ReviewList(questionnaires=[review_summary(q, org, counts.get(q.id, 0)) for q, org in rows])


def detail(ctx: ServerContext, caf: str | None, qid: uuid.UUID) -> p.ReviewDetail:
    with ctx.db.read() as session:
        q = _visible(session.get(Questionnaire, qid), caf)
        organisation = session.get(Account, q.organisation_id)
        assert organisation is not None
        versions = session.exec(
            select(Version).where(Version.questionnaire_id == qid).order_by(col(Version.server_rev))
        ).all()
        authors = {
            a.id: a for a in session.exec(select(Account).where(col(Account.id).in_({v.author_id for v in versions})))
        }
        notices = session.exec(
            select(Notice).where(Notice.questionnaire_id == qid).order_by(col(Notice.created_at))
        ).all()
        entries = session.exec(
            select(AuditEntry).where(AuditEntry.questionnaire_id == qid).order_by(col(AuditEntry.id))
        ).all()
        return p.ReviewDetail(
            summary=review_summary(q, organisation, sum(1 for n in notices if n.status == NoticeState.OPEN)),
            versions=[version_view(v, authors[v.author_id]) for v in versions],
            notices=[notice_view(n) for n in notices],
            audit=[audit_view(e) for e in entries],
            replies=sorted(
                (r for per_notice in replies_for(session, qid).values() for r in per_notice),
                key=lambda r: r.created_at,
            ),
        )


def add_notice(
    ctx: ServerContext, reviewer: Account, qid: uuid.UUID, request: p.NoticeCreate
) -> tuple[int, p.NoticeView]:
    """201 with the new notice; 200 when `notice_id` names an identical notice already recorded."""
    message = request.message.strip()
    if not message:
        raise ApiProblem(
            422,
            p.VALIDATION,
            errors=[p.FieldError(field_path="message", code="required", message="Message vide.")],
        )
    now = ctx.now()
    notice_id = request.notice_id or uuid.uuid4()

    def work(session: Session) -> tuple[int, p.NoticeView]:
        q = _visible(lock_questionnaire(session, qid), reviewer.caf)
        existing = session.get(Notice, notice_id)
        if existing is not None:
            if (existing.questionnaire_id, existing.question_id, existing.message) == (
                qid,
                request.question_id,
                message,
            ):
                return 200, notice_view(existing)
            raise ApiProblem(
                422, p.IDEMPOTENCY_MISMATCH, "Cet identifiant de notice a déjà servi pour un autre message"
            )
        if not allowed(Status(q.state), Action.NOTICE, on_server=True):
            raise not_editable(q.state)
        definition = definition_for(ctx, q.form_id, q.form_version)
        if request.question_id is not None and request.question_id not in {x.id for x in definition.questions()}:
            raise ApiProblem(
                422,
                p.VALIDATION,
                errors=[
                    p.FieldError(
                        field_path="question_id",
                        code="unknown_question",
                        message=f"Question inconnue du formulaire {q.form_id} : {request.question_id}.",
                    )
                ],
            )
        assert reviewer.id is not None
        notice = Notice(
            id=notice_id,
            questionnaire_id=qid,
            version_id=q.current_version_id,
            question_id=request.question_id,
            message=message,
            status=NoticeState.OPEN,
            author_id=reviewer.id,
            created_at=now,
        )
        session.add(notice)
        view = notice_view(notice)
        feed.emit(session, q.organisation_id, qid, [view], now)
        audit(session, reviewer, q, "notice", {"notice_id": str(notice_id), "question_id": request.question_id}, now)
        return 201, view

    return ctx.db.write(work)


def _transition(ctx: ServerContext, reviewer: Account, qid: uuid.UUID, action: Action) -> p.ReviewSummary:
    now = ctx.now()

    def work(session: Session) -> p.ReviewSummary:
        q = _visible(lock_questionnaire(session, qid), reviewer.caf)
        try:
            target = server_next_state(Status(q.state), action)
            validated = structure.validation_of(session, q.organisation_id, q.form_id) is not None
            check_validation_order(action, validated)
        except NotAllowed as refused:
            raise ApiProblem(409, p.NOT_EDITABLE, str(refused), state=q.state) from None
        q.state, q.updated_at = target.value, now
        session.add(q)
        feed.emit(session, q.organisation_id, qid, [state_data(q, now)], now)
        audit(session, reviewer, q, action.value, {"state": target.value, "version_id": str(q.current_version_id)}, now)
        mail.on_review(ctx, session, q, action, now)
        organisation = session.get(Account, q.organisation_id)
        assert organisation is not None
        return review_summary(q, organisation, _open_counts(session, [qid]).get(qid, 0))

    return ctx.db.write(work)


def return_for_correction(ctx: ServerContext, reviewer: Account, qid: uuid.UUID) -> p.ReviewSummary:
    """Transmis → À corriger: the partner may edit again, with the open notices."""
    return _transition(ctx, reviewer, qid, Action.RETURN)


def validate(ctx: ServerContext, reviewer: Account, qid: uuid.UUID) -> p.ReviewSummary:
    """Transmis → Validé: locked for good."""
    return _transition(ctx, reviewer, qid, Action.VALIDATE)


def structure_validated(ctx: ServerContext, caf: str | None, qid: uuid.UUID) -> bool:
    """Whether the fiche Structure of this questionnaire's organisation is validated for its campaign."""
    with ctx.db.read() as session:
        q = _visible(session.get(Questionnaire, qid), caf)
        return structure.validation_of(session, q.organisation_id, q.form_id) is not None


def validate_structure(ctx: ServerContext, reviewer: Account, qid: uuid.UUID) -> p.ReviewSummary:
    """« Valider la fiche Structure »: lock the organisation's fiche Structure for this campaign as it
    stands in this questionnaire's current version; 409 when it is validated already."""
    now = ctx.now()

    def work(session: Session) -> p.ReviewSummary:
        q = _visible(lock_questionnaire(session, qid), reviewer.caf)
        if structure.validation_of(session, q.organisation_id, q.form_id) is not None:
            raise ApiProblem(409, p.STRUCTURE_LOCKED, "La fiche Structure de cette structure est déjà validée")
        definition = definition_for(ctx, q.form_id, q.form_version)
        current = session.get(Version, q.current_version_id)
        assert current is not None
        assert reviewer.id is not None
        session.add(
            StructureValidation(
                organisation_id=q.organisation_id,
                form_id=q.form_id,
                validated_by=reviewer.id,
                validated_at=now,
                questionnaire_id=qid,
                answers_json=canonical_json(structure.structure_answers(definition, json.loads(current.answers_json))),
            )
        )
        audit(session, reviewer, q, "validate_structure", {"form_id": q.form_id, "version_id": str(current.id)}, now)
        locked = p.StructureLockedData(
            form_id=q.form_id,
            validated_at=now,
            question_ids=[question.id for question in structure.locked_questions(definition)],
            answers=structure.structure_answers(definition, json.loads(current.answers_json)),
        )
        feed.emit(session, q.organisation_id, qid, [locked], now)  # the partner's app shows them read-only
        organisation = session.get(Account, q.organisation_id)
        assert organisation is not None
        return review_summary(q, organisation, _open_counts(session, [qid]).get(qid, 0))

    return ctx.db.write(work)
