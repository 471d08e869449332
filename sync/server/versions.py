"""One version of a questionnaire, sent by its partner or written by its Caf (DESIGN §6).

Everything a delivery changes (the questionnaire, the version, the idempotency record, the state,
the notices it resolves, the feed rows and the audit entry) commits in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, select

from forms.evaluation import without_local
from forms.lifecycle import Action, NoticeState, Status, allowed, server_next_state
from forms.payload import canonical_json
from sync import protocol as p
from sync.server import campaigns, feed, mail, structure
from sync.server.accounts import PARTNER
from sync.server.checks import answer_errors, caf_field_errors, check_attachments, check_key, definition_for
from sync.server.context import ServerContext
from sync.server.db import WRITE_ATTEMPTS, table
from sync.server.models import (
    Account,
    AuditEntry,
    IdempotencyRecord,
    Notice,
    Questionnaire,
    QuestionnaireClaim,
    Version,
)
from sync.server.problems import ApiProblem, id_taken, not_editable, not_found

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Submission:
    status: int  # 201 first delivery, 200 replay
    accepted: p.VersionAccepted

    @property
    def replayed(self) -> bool:
        return self.status == 200


def scope_of(actor: Account) -> str:
    return f"org:{actor.id}" if actor.role == PARTNER else f"caf:{actor.caf}"


def claim(session: Session, qid: uuid.UUID, actor: Account, now: dt.datetime) -> None:
    """Bind the id to the partner's organisation at its first write of any kind; 409 id_taken when
    another organisation wrote under it first. Two first writes at once: the unique key makes the
    loser's transaction run again (Database.write), and it then sees the winner's claim."""
    connection = session.connection()
    owner = connection.execute(_FIND_CLAIM, {"b_id": qid}).scalar_one_or_none()
    if owner is None:
        assert actor.id is not None
        connection.execute(_INSERT_CLAIM, {"questionnaire_id": qid, "organisation_id": actor.id, "created_at": now})
    elif owner != actor.id:
        raise id_taken()


def can_see(actor: Account, q: Questionnaire) -> bool:
    """A partner sees its own questionnaires, a reviewer those of its Caf."""
    return q.organisation_id == actor.id if actor.role == PARTNER else q.caf == actor.caf


def lock_questionnaire(session: Session, qid: uuid.UUID) -> Questionnaire | None:
    """The questionnaire row, locked until commit on PostgreSQL (SQLite writers are serialised already)."""
    return session.exec(select(Questionnaire).where(Questionnaire.id == qid).with_for_update()).first()


# The hot path's statements, built once: SQLAlchemy then only binds parameters (building a statement
# with .values(...) on every call costs more than running it).
_Q, _V, _R = table(Questionnaire), table(Version), table(IdempotencyRecord)
_LOCK_ROW = sa_select(_Q).where(_Q.c.id == bindparam("b_id")).with_for_update()
_FIND_RECORD = sa_select(_R.c.scope, _R.c.questionnaire_id, _R.c.payload_sha256, _R.c.response_json).where(
    _R.c.key == bindparam("b_key")
)
_INSERT_QUESTIONNAIRE = insert(_Q)
_UPDATE_QUESTIONNAIRE = update(_Q).where(_Q.c.id == bindparam("b_id"))
_INSERT_VERSION = insert(_V)
_INSERT_RECORD = insert(_R)
_INSERT_AUDIT = insert(table(AuditEntry))
_C = table(QuestionnaireClaim)
_FIND_CLAIM = sa_select(_C.c.organisation_id).where(_C.c.questionnaire_id == bindparam("b_id"))
_INSERT_CLAIM = insert(_C)


def _lock_row(session: Session, qid: uuid.UUID) -> Questionnaire | None:
    """lock_questionnaire through Core: a detached copy of the row (the hot path skips the identity map)."""
    row = session.connection().execute(_LOCK_ROW, {"b_id": qid}).first()
    return Questionnaire(**row._mapping) if row is not None else None


def audit(
    session: Session, actor: Account, q: Questionnaire, action: str, detail: dict[str, Any], now: dt.datetime
) -> None:
    assert actor.id is not None
    session.add(
        AuditEntry(
            questionnaire_id=q.id,
            caf=q.caf,
            actor_id=actor.id,
            actor_email=actor.email,
            action=action,
            detail_json=canonical_json(detail),
            at=now,
        )
    )


def submit_version(
    ctx: ServerContext,
    actor: Account,
    qid: uuid.UUID,
    vid: uuid.UUID,
    body: p.VersionBody,
    idempotency_key: str | None = None,
) -> Submission:
    """A partner's transmission or a Caf edit: 201, 200 replay, or an ApiProblem."""
    check_key(idempotency_key, vid)
    return ctx.db.write(_delivery(ctx, actor, qid, vid, body))


Outcome = Submission | ApiProblem | Exception


def submit_versions(
    ctx: ServerContext, actor: Account, items: list[tuple[uuid.UUID, uuid.UUID, p.VersionBody]]
) -> list[Outcome]:
    """A batch (POST /sync/push): each item as its own PUT would be, all committed in one transaction.

    Each item runs in a savepoint, so a refused item leaves nothing behind and the others go on; one
    commit (one fsync) makes them all durable before any is acknowledged. An item whose insert loses a
    race (unique key) runs again in a new savepoint and then sees the winner's row, as Database.write
    does for a whole transaction.
    """
    deliveries: list[Callable[[Session], Submission] | ApiProblem] = []
    for qid, vid, body in items:
        try:
            deliveries.append(_delivery(ctx, actor, qid, vid, body))
        except ApiProblem as refused:
            deliveries.append(refused)

    def work(session: Session) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for delivery in deliveries:
            outcomes.append(delivery if isinstance(delivery, ApiProblem) else _in_savepoint(session, delivery))
        return outcomes

    return ctx.db.write(work)


def _in_savepoint(session: Session, delivery: Callable[[Session], Submission]) -> Outcome:
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                return delivery(session)
        except ApiProblem as refused:
            return refused
        except IntegrityError:
            if attempt == WRITE_ATTEMPTS:
                raise
        except DBAPIError:
            raise  # a deadlock or a lost connection: the whole transaction runs again (Database.write)
        except Exception as exc:  # one broken item must not lose the others' results
            log.exception("push item failed")
            return exc
    raise AssertionError("unreachable")


def _delivery(
    ctx: ServerContext, actor: Account, qid: uuid.UUID, vid: uuid.UUID, body: p.VersionBody
) -> Callable[[Session], Submission]:
    """The checks that need no database, then the transaction's work; raises ApiProblem for a bad body."""
    try:
        expected = body.expected_sha256()
    except ValueError:  # NaN or infinity: JSON has no such numbers, and no canonical form for them
        raise ApiProblem(
            422,
            p.VALIDATION,
            errors=[p.FieldError(field_path="answers", code="not_finite", message="Nombre non fini refusé.")],
        ) from None
    if expected != body.payload_sha256:
        raise ApiProblem(
            422,
            p.PAYLOAD_HASH_MISMATCH,
            detail="payload_sha256 doit être le sha256 du JSON canonique de base_version_id, form_id, "
            "form_version, answers et attachments.",
        )
    by_partner = actor.role == PARTNER
    now = ctx.now()
    # Pure work first, outside the write transaction that serialises writers; raised in order inside.
    definition = (
        ctx.registry.get(body.form_id, body.form_version) if (body.form_id, body.form_version) in ctx.registry else None
    )
    errors = answer_errors(definition, body.answers) if definition is not None else []
    kept = without_local(definition, body.answers) if definition is not None else body.answers
    prepared = _Prepared(
        answers=kept,
        answers_json=canonical_json(kept),
        attachments=[a.model_dump(mode="json") for a in body.attachments],
    )

    def work(session: Session) -> Submission:
        q = _lock_row(session, qid)
        if q is not None and not can_see(actor, q) and by_partner:
            raise id_taken()  # someone else's id (an exported file used as a template): re-key
        if (q is not None and not can_see(actor, q)) or (q is None and not by_partner):
            raise not_found()
        if q is None:
            claim(session, qid, actor, now)
        # After the lock: a concurrent delivery of the same version has committed by now.
        record = session.connection().execute(_FIND_RECORD, {"b_key": vid}).first()
        if record is not None:
            if tuple(record[:3]) == (scope_of(actor), qid, body.payload_sha256):
                return Submission(200, p.VersionAccepted.model_validate_json(record.response_json))
            raise ApiProblem(422, p.IDEMPOTENCY_MISMATCH)
        if definition is None:
            definition_for(ctx, body.form_id, body.form_version)  # raises unknown_form
        assert definition is not None
        if q is not None and q.form_id != body.form_id:
            raise ApiProblem(
                422,
                p.VALIDATION,
                errors=[
                    p.FieldError(
                        field_path="form_id", code="form_changed", message=f"Ce questionnaire suit {q.form_id}."
                    )
                ],
            )
        # The partner transmits a new or returned questionnaire; the Caf may fix one it reviews or returned.
        state = Status(q.state) if q is not None else None
        if not allowed(state, Action.TRANSMIT if by_partner else Action.CAF_EDIT, on_server=True):
            assert q is not None
            raise not_editable(q.state)
        if by_partner:
            campaigns.check_open(ctx, session, definition, actor.caf)
        current_id = q.current_version_id if q is not None else None
        if body.base_version_id != current_id:
            raise _stale(session, q)
        if errors:
            raise ApiProblem(422, p.VALIDATION, errors=errors)
        current = _current_answers(session, q) if q is not None else None
        if by_partner:
            refused = caf_field_errors(definition, prepared.answers, current or {})
            if refused:
                raise ApiProblem(422, p.VALIDATION, errors=refused)
        organisation_id = q.organisation_id if q is not None else actor.id
        assert organisation_id is not None
        locked = structure.locked_errors(session, definition, organisation_id, prepared.answers, current)
        if locked is not None:
            raise locked
        check_attachments(session, definition, organisation_id, qid, body)
        submission = _record(session, actor, q, qid, vid, body, prepared, organisation_id, now)
        if by_partner:  # queued in this transaction: never lost, never in the way of the delivery
            mail.on_transmitted(ctx, session, actor, qid, definition, prepared.answers, now)
        return submission

    return work


@dataclass(frozen=True)
class _Prepared:
    answers: dict[str, Any]  # as received, minus auto-diagnostic answers (never kept by the server)
    answers_json: str
    attachments: list[dict[str, Any]]


def _stale(session: Session, q: Questionnaire | None) -> ApiProblem:
    if q is None:
        return ApiProblem(409, p.STALE_BASE, detail="Le serveur ne connaît aucune version de ce questionnaire.")
    current = session.get(Version, q.current_version_id)
    assert current is not None
    return ApiProblem(
        409,
        p.STALE_BASE,
        current_version_id=q.current_version_id,
        current_server_rev=q.server_rev,
        current_answers=json.loads(current.answers_json),
    )


def _record(
    session: Session,
    actor: Account,
    q: Questionnaire | None,
    qid: uuid.UUID,
    vid: uuid.UUID,
    body: p.VersionBody,
    prepared: _Prepared,
    organisation_id: int,
    now: dt.datetime,
) -> Submission:
    """Write the delivery with Core statements (the hot path: no unit-of-work bookkeeping)."""
    by_partner = actor.role == PARTNER
    assert actor.id is not None
    connection = session.connection()
    server_rev = (q.server_rev if q is not None else 0) + 1
    # A partner's delivery is « Transmis »; a Caf edit leaves the state where it was.
    state = Status(q.state) if q is not None else None
    transmitted = server_next_state(state, Action.TRANSMIT if by_partner else Action.CAF_EDIT).value
    previous_answers: dict[str, Any] = {}
    previous_state = q.state if q is not None else None
    if q is None:
        # A concurrent first delivery of the same questionnaire loses here (primary key), and
        # db.write runs the whole transaction again: it then sees the winner's row.
        connection.execute(
            _INSERT_QUESTIONNAIRE,
            {
                "id": qid,
                "organisation_id": organisation_id,
                "caf": actor.caf,
                "form_id": body.form_id,
                "form_version": body.form_version,
                "state": transmitted,
                "current_version_id": vid,
                "server_rev": server_rev,
                "created_at": now,
                "updated_at": now,
            },
        )
    else:
        previous_answers = _current_answers(session, q)
        connection.execute(
            _UPDATE_QUESTIONNAIRE,
            {
                "b_id": qid,
                "current_version_id": vid,
                "server_rev": server_rev,
                "form_version": body.form_version,
                "state": transmitted,
                "updated_at": now,
            },
        )
    author_role = "partner" if by_partner else "caf"
    connection.execute(
        _INSERT_VERSION,
        {
            "id": vid,
            "questionnaire_id": qid,
            "base_version_id": body.base_version_id,
            "server_rev": server_rev,
            "author_role": author_role,
            "author_id": actor.id,
            "form_id": body.form_id,
            "form_version": body.form_version,
            "answers_json": prepared.answers_json,
            "attachments_json": canonical_json(prepared.attachments),
            "payload_sha256": body.payload_sha256,
            "created_at": now,
        },
    )
    # Built without re-validation (model_construct): every field comes from the body just validated.
    changes: list[p.ChangeData] = [
        p.VersionChangeData.model_construct(
            version_id=vid, base_version_id=body.base_version_id, server_rev=server_rev, author_role=author_role,
            form_id=body.form_id, form_version=body.form_version, answers=prepared.answers,
            attachments=body.attachments, payload_sha256=body.payload_sha256, created_at=now,
        )
    ]  # fmt: skip
    if previous_state != transmitted:
        changes.append(p.StateChangeData.model_construct(state=transmitted, version_id=vid, at=now))
    if by_partner and q is not None:  # a partner's new version answers the Caf's open notices
        open_ids = session.exec(
            select(Notice.id)
            .where(Notice.questionnaire_id == qid, Notice.status == NoticeState.OPEN)
            .order_by(col(Notice.created_at))
        ).all()
        if open_ids:
            notices = table(Notice)
            connection.execute(
                update(notices)
                .where(notices.c.id.in_(open_ids))
                .values(status=NoticeState.RESOLVED, resolved_by_version_id=vid, resolved_at=now)
            )
        changes += [p.NoticeResolvedData(notice_id=n, resolved_by_version_id=vid) for n in open_ids]
    if by_partner:  # the journal shows the partner's transmissions between the Caf's actions
        connection.execute(
            _INSERT_AUDIT,
            {
                "questionnaire_id": qid,
                "caf": q.caf if q is not None else actor.caf,
                "actor_id": actor.id,
                "actor_email": actor.email,
                "action": "transmit",
                "detail_json": canonical_json({"version_id": str(vid), "server_rev": server_rev}),
                "at": now,
            },
        )
    else:
        assert q is not None
        changed = sorted(
            k for k in {*previous_answers, *prepared.answers} if previous_answers.get(k) != prepared.answers.get(k)
        )
        audit(session, actor, q, "edit", {"version_id": str(vid), "server_rev": server_rev, "changed": changed}, now)
    seqs = feed.emit(session, organisation_id, qid, changes, now)
    # The rows of `seqs` are consecutive (emit holds the counter's lock): the version, then its state
    # change if any, which the receipt describes; then the notices it resolved, which it does not.
    described = seqs[1] if by_partner and len(seqs) > 1 and isinstance(changes[1], p.StateChangeData) else seqs[0]
    accepted = p.VersionAccepted(
        questionnaire_id=qid,
        version_id=vid,
        server_rev=server_rev,
        state=transmitted,  # type: ignore[arg-type]
        seq=seqs[0],
        feed_before=feed.encode_cursor(organisation_id, seqs[0] - 1) if by_partner else None,
        feed_through=feed.encode_cursor(organisation_id, described) if by_partner else None,
    )
    connection.execute(
        _INSERT_RECORD,
        {
            "key": vid,
            "scope": scope_of(actor),
            "questionnaire_id": qid,
            "payload_sha256": body.payload_sha256,
            "status": 201,
            "response_json": accepted.model_dump_json(),
            "created_at": now,
        },
    )
    return Submission(201, accepted)


def _current_answers(session: Session, q: Questionnaire) -> dict[str, Any]:
    text = session.exec(select(Version.answers_json).where(Version.id == q.current_version_id)).first()
    return json.loads(text) if text is not None else {}


def state_data(q: Questionnaire, now: dt.datetime) -> p.StateChangeData:
    return p.StateChangeData(state=q.state, version_id=q.current_version_id, at=now)  # type: ignore[arg-type]
