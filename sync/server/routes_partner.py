"""Partner calls: transmissions (single and batch), attachments, own questionnaire, change feed."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from sync import protocol as p
from sync.server import partner, replies
from sync.server.auth import Ctx, Partner
from sync.server.context import ServerContext
from sync.server.models import Account
from sync.server.problems import ApiProblem
from sync.server.versions import Submission, submit_version, submit_versions

log = logging.getLogger(__name__)
router = APIRouter()

Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="sha256 du contenu, en hexadécimal minuscule")]
_BINARY_BODY = {
    "requestBody": {
        "required": True,
        "content": {mt: {"schema": {"type": "string", "format": "binary"}} for mt in sorted(p.ALLOWED_MEDIA_TYPES)},
    }
}


@router.put(
    "/questionnaires/{questionnaire_id}/versions/{version_id}",
    response_model=p.VersionAccepted,
    status_code=201,
    summary="Transmettre une version (201 ; 200 et Idempotent-Replayed: true pour un renvoi identique)",
    responses={200: {"model": p.VersionAccepted, "description": "Renvoi identique d'une version déjà reçue"}},
)
async def put_version(
    ctx: Ctx,
    actor: Partner,
    questionnaire_id: uuid.UUID,
    version_id: uuid.UUID,
    body: p.VersionBody,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias=p.IDEMPOTENCY_KEY_HEADER, max_length=100)] = None,
) -> p.VersionAccepted:
    return await deliver(ctx, actor, questionnaire_id, version_id, body, response, idempotency_key)


async def deliver(
    ctx: ServerContext,
    actor: Account,
    questionnaire_id: uuid.UUID,
    version_id: uuid.UUID,
    body: p.VersionBody,
    response: Response,
    idempotency_key: str | None,
) -> p.VersionAccepted:
    """A version PUT, by a partner or a reviewer: 201, or 200 with Idempotent-Replayed for a replay."""
    submission = await run_in_threadpool(
        submit_version, ctx, actor, questionnaire_id, version_id, body, idempotency_key
    )
    response.status_code = submission.status
    if submission.replayed:
        response.headers[p.REPLAYED_HEADER] = "true"
    return submission.accepted


@router.post(
    "/sync/push",
    response_model=p.PushResult,
    summary="Lot de transmissions (50 au plus) : un résultat par élément, comme son PUT ; une seule validation",
)
async def push(ctx: Ctx, actor: Partner, batch: p.PushBatch) -> p.PushResult:
    return await run_in_threadpool(_push, ctx, actor, batch)


def _push(ctx: ServerContext, actor: Account, batch: p.PushBatch) -> p.PushResult:
    items = [(item.questionnaire_id, item.version_id, item.body) for item in batch.items]
    results = []
    for item, outcome in zip(batch.items, submit_versions(ctx, actor, items), strict=True):
        body: p.VersionAccepted | p.Problem
        if isinstance(outcome, Submission):
            status, body, replayed = outcome.status, outcome.accepted, outcome.replayed
        elif isinstance(outcome, ApiProblem):
            status, body, replayed = outcome.status, outcome.model(), False
        else:  # logged by submit_versions; one broken item does not lose the others' results
            status, body, replayed = 500, ApiProblem(500, p.INTERNAL_ERROR).model(), False
        results.append(
            p.PushItemResult(
                questionnaire_id=item.questionnaire_id,
                version_id=item.version_id,
                status=status,
                replayed=replayed,
                body=body,
            )
        )
    return p.PushResult(results=results)


@router.put(
    "/questionnaires/{questionnaire_id}/attachments/{sha256}",
    response_model=p.AttachmentStored,
    status_code=201,
    summary="Déposer une pièce jointe (corps brut, adressé par son sha256 ; 200 si déjà reçue)",
    openapi_extra=_BINARY_BODY,
    responses={200: {"model": p.AttachmentStored, "description": "Déjà reçue"}},
)
async def put_attachment(
    ctx: Ctx, actor: Partner, questionnaire_id: uuid.UUID, sha256: Sha256Path, request: Request, response: Response
) -> p.AttachmentStored:
    data = await request.body()
    status, stored = await run_in_threadpool(
        partner.store_attachment, ctx, actor, questionnaire_id, sha256, data, request.headers.get("content-type")
    )
    response.status_code = status
    return stored


@router.get(
    "/questionnaires/{questionnaire_id}/attachments/{sha256}",
    response_class=Response,
    summary="Relire une pièce jointe déposée",
    responses={200: {"content": {"application/octet-stream": {}}, "description": "Le document"}},
)
async def get_attachment(ctx: Ctx, actor: Partner, questionnaire_id: uuid.UUID, sha256: Sha256Path) -> Response:
    row = await run_in_threadpool(partner.read_attachment, ctx, actor, questionnaire_id, sha256)
    return Response(content=row.data, media_type=row.media_type)


@router.get(
    "/questionnaires/{questionnaire_id}",
    response_model=p.QuestionnaireView,
    summary="Son questionnaire : version courante, état, notices ouvertes",
)
async def get_questionnaire(ctx: Ctx, actor: Partner, questionnaire_id: uuid.UUID) -> p.QuestionnaireView:
    return await run_in_threadpool(partner.get_questionnaire, ctx, actor, questionnaire_id)


_ACCEPT_HELP = "Types de changements ajoutés après la v1 que le client comprend, séparés par des virgules"


@router.get(
    "/changes",
    response_model=p.ChangesPage,
    summary="Ses changements après un curseur opaque, dans l'ordre des validations, par pages",
)
async def changes(
    ctx: Ctx,
    actor: Partner,
    since: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=p.MAX_CHANGES_LIMIT)] = p.DEFAULT_CHANGES_LIMIT,
    accept: Annotated[str | None, Query(max_length=200, description=_ACCEPT_HELP)] = None,
) -> p.ChangesPage:
    accepted = frozenset((accept or "").split(",")) & p.OPT_IN_CHANGE_TYPES
    return await run_in_threadpool(partner.changes, ctx, actor, since, limit, accepted)


@router.post(
    "/questionnaires/{questionnaire_id}/notices/{notice_id}/replies/{reply_id}",
    response_model=p.ReplyView,
    status_code=201,
    summary="Répondre à une notice de la Caf (201 ; 200 et Idempotent-Replayed: true pour un renvoi identique)",
    responses={200: {"model": p.ReplyView, "description": "Renvoi identique d'une réponse déjà reçue"}},
)
async def post_reply(
    ctx: Ctx,
    actor: Partner,
    questionnaire_id: uuid.UUID,
    notice_id: uuid.UUID,
    reply_id: uuid.UUID,
    body: p.ReplyCreate,
    response: Response,
) -> p.ReplyView:
    status, view = await run_in_threadpool(replies.add_reply, ctx, actor, questionnaire_id, notice_id, reply_id, body)
    response.status_code = status
    if status == 200:
        response.headers[p.REPLAYED_HEADER] = "true"
    return view
