"""Checks on a version before it is recorded: idempotency key, form, answers, attachments.

The answers are checked with the same forms/ code the desktop app uses (evaluate,
transmitted_answers); nothing here restates a rule of the questionnaire.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from forms.definition import FormDefinition
from forms.evaluation import evaluate, transmitted_answers, without_local
from forms.payload import canonical_json
from sync import protocol as p
from sync.server.context import ServerContext
from sync.server.models import Attachment
from sync.server.problems import ApiProblem


def check_key(idempotency_key: str | None, vid: uuid.UUID) -> None:
    if idempotency_key is None:
        return
    try:
        same = uuid.UUID(idempotency_key.strip().strip('"')) == vid
    except ValueError:
        same = False
    if not same:
        raise ApiProblem(
            422,
            p.IDEMPOTENCY_MISMATCH,
            "L'en-tête Idempotency-Key doit être l'identifiant de la version",
            detail=f"Idempotency-Key doit valoir {vid}.",
        )


def definition_for(ctx: ServerContext, form_id: str, form_version: int) -> FormDefinition:
    try:
        return ctx.registry.get(form_id, form_version)
    except KeyError:
        raise ApiProblem(
            422,
            p.UNKNOWN_FORM,
            f"Formulaire inconnu du serveur : {form_id} version {form_version}",
            errors=[p.FieldError(field_path="form_id", code=p.UNKNOWN_FORM, message="Formulaire inconnu.")],
        ) from None


def answer_errors(definition: FormDefinition, answers: dict[str, Any]) -> list[p.FieldError]:
    """Per-question errors: unknown questions, the engine's blocking issues, and answers that are not
    the transmitted form (hidden, empty or not normalised), so what is stored is what every end computes."""
    known = {q.id for q in definition.questions()}
    errors = [
        p.FieldError(field_path=k[:200], code="unknown_question", message="Question inconnue de ce formulaire.")
        for k in answers
        if k not in known
    ]
    if errors:
        return errors
    errors = [
        p.FieldError(field_path=i.question_id, code=i.code, message=i.message)
        for i in evaluate(definition, answers).blocking
    ]
    if errors:
        return errors
    # Auto-diagnostic answers (scope "local") are never transmitted by the app; whatever a client
    # sends of them is ignored (the server keeps none: see without_local), never a reason to refuse.
    answers = without_local(definition, answers)
    canonical = transmitted_answers(definition, answers)
    if canonical_json(canonical) == canonical_json(answers):
        return []
    for question in definition.questions():
        if question.id not in answers:
            continue
        if question.id not in canonical:
            errors.append(
                p.FieldError(
                    field_path=question.id,
                    code="not_transmitted",
                    message="Réponse vide ou à une question masquée : elle ne doit pas être transmise.",
                )
            )
        elif canonical_json(canonical[question.id]) != canonical_json(answers[question.id]):
            errors.append(
                p.FieldError(
                    field_path=question.id,
                    code="not_canonical",
                    message="Réponse non normalisée (espaces, séparateurs) : transmettez sa forme canonique.",
                )
            )
    return errors


def caf_field_errors(
    definition: FormDefinition, answers: dict[str, Any], current: dict[str, Any]
) -> list[p.FieldError]:
    """A partner's version may not change a Caf-only answer (filled_by "caf", e.g. the Sias number):
    it must carry the value of the current server version, or none when the Caf has set none."""
    return [
        p.FieldError(
            field_path=q.id,
            code="filled_by_caf",
            message=f"« {q.label} » est rempli par la Caf : le partenaire ne peut pas le modifier.",
        )
        for q in definition.questions()
        if q.caf_only and canonical_json(answers.get(q.id)) != canonical_json(current.get(q.id))
    ]


def check_attachments(
    session: Session, definition: FormDefinition, organisation_id: int, qid: uuid.UUID, body: p.VersionBody
) -> None:
    """Every document the version names (attachments list and file answers) was uploaded beforehand."""
    wanted: list[tuple[str, str, int, str]] = [
        (f"attachments.{n}", a.sha256, a.size, a.name) for n, a in enumerate(body.attachments)
    ]
    for question in definition.questions():
        value = body.answers.get(question.id)
        if question.type == "file" and isinstance(value, dict):
            wanted.append((question.id, str(value["sha256"]), int(value["size"]), str(value["name"])))
    if not wanted:
        return
    stored = dict(
        session.exec(
            select(Attachment.sha256, Attachment.size).where(
                Attachment.questionnaire_id == qid,
                Attachment.organisation_id == organisation_id,
                col(Attachment.sha256).in_({w[1] for w in wanted}),
            )
        ).all()
    )
    errors = [
        p.FieldError(
            field_path=path,
            code=p.ATTACHMENT_MISSING,
            message=f"Document « {name[:200]} » non reçu par le serveur : envoyez-le avant la version.",
        )
        for path, digest, size, name in wanted
        if stored.get(digest) != size
    ]
    if errors:
        raise ApiProblem(422, p.ATTACHMENT_MISSING, errors=errors)
