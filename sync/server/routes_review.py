"""Reviewer calls, scoped to the reviewer's Caf: anything else is 404, never 403."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response
from starlette.concurrency import run_in_threadpool

from sync import protocol as p
from sync.server import partner, review
from sync.server.auth import Ctx, Reviewer
from sync.server.routes_partner import deliver

router = APIRouter(prefix="/review")


@router.get("/questionnaires", response_model=p.ReviewList, summary="Les questionnaires de sa Caf (?state=)")
async def list_questionnaires(ctx: Ctx, actor: Reviewer, state: p.ServerState | None = None) -> p.ReviewList:
    return await run_in_threadpool(review.list_questionnaires, ctx, actor.caf, state)


@router.get(
    "/questionnaires/{questionnaire_id}",
    response_model=p.ReviewDetail,
    summary="Un questionnaire de sa Caf : versions, notices, journal",
)
async def get_questionnaire(ctx: Ctx, actor: Reviewer, questionnaire_id: uuid.UUID) -> p.ReviewDetail:
    return await run_in_threadpool(review.detail, ctx, actor.caf, questionnaire_id)


@router.post(
    "/questionnaires/{questionnaire_id}/notices",
    response_model=p.NoticeView,
    status_code=201,
    summary="Ajouter une notice (texte brut, éventuellement sur une question)",
    responses={200: {"model": p.NoticeView, "description": "Même notice_id, même contenu : déjà enregistrée"}},
)
async def add_notice(
    ctx: Ctx, actor: Reviewer, questionnaire_id: uuid.UUID, notice: p.NoticeCreate, response: Response
) -> p.NoticeView:
    status, view = await run_in_threadpool(review.add_notice, ctx, actor, questionnaire_id, notice)
    response.status_code = status
    return view


@router.put(
    "/questionnaires/{questionnaire_id}/versions/{version_id}",
    response_model=p.VersionAccepted,
    status_code=201,
    summary="Modifier les réponses (nouvelle version écrite par la Caf ; mêmes règles d'idempotence)",
    responses={200: {"model": p.VersionAccepted, "description": "Renvoi identique"}},
)
async def put_version(
    ctx: Ctx,
    actor: Reviewer,
    questionnaire_id: uuid.UUID,
    version_id: uuid.UUID,
    body: p.VersionBody,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias=p.IDEMPOTENCY_KEY_HEADER, max_length=100)] = None,
) -> p.VersionAccepted:
    return await deliver(ctx, actor, questionnaire_id, version_id, body, response, idempotency_key)


@router.post(
    "/questionnaires/{questionnaire_id}/return",
    response_model=p.ReviewSummary,
    summary="Renvoyer pour correction (Transmis → À corriger)",
)
async def return_for_correction(ctx: Ctx, actor: Reviewer, questionnaire_id: uuid.UUID) -> p.ReviewSummary:
    return await run_in_threadpool(review.return_for_correction, ctx, actor, questionnaire_id)


@router.post(
    "/questionnaires/{questionnaire_id}/validate",
    response_model=p.ReviewSummary,
    summary="Valider (Transmis → Validé, définitif)",
)
async def validate(ctx: Ctx, actor: Reviewer, questionnaire_id: uuid.UUID) -> p.ReviewSummary:
    return await run_in_threadpool(review.validate, ctx, actor, questionnaire_id)


@router.post(
    "/questionnaires/{questionnaire_id}/validate-structure",
    response_model=p.ReviewSummary,
    summary="Valider la fiche Structure de l'organisation pour cette campagne (avant ses actions, définitif)",
)
async def validate_structure(ctx: Ctx, actor: Reviewer, questionnaire_id: uuid.UUID) -> p.ReviewSummary:
    return await run_in_threadpool(review.validate_structure, ctx, actor, questionnaire_id)


@router.get(
    "/questionnaires/{questionnaire_id}/attachments/{sha256}",
    response_class=Response,
    summary="Lire une pièce jointe d'un questionnaire de sa Caf",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "Le document"}},
)
async def get_attachment(
    ctx: Ctx,
    actor: Reviewer,
    questionnaire_id: uuid.UUID,
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
) -> Response:
    row = await run_in_threadpool(partner.read_attachment, ctx, actor, questionnaire_id, sha256)
    return Response(content=row.data, media_type=row.media_type)
