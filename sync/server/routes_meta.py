"""Unauthenticated calls: server meta, form definitions, login."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from starlette.concurrency import run_in_threadpool

from sync import protocol as p
from sync.server import accounts, campaigns
from sync.server.auth import Ctx, PartnerCaf, bearer
from sync.server.problems import ApiProblem

router = APIRouter()
# Endpoints are `async def` and hand blocking work to the threadpool themselves: FastAPI runs a
# plain `def` endpoint in the threadpool *and* its response validation in a second hop.


@router.get("/meta", response_model=p.Meta, summary="Heure du serveur, version d'API, limites, formulaires")
async def meta(ctx: Ctx, caf: PartnerCaf) -> p.Meta:
    forms = await run_in_threadpool(campaigns.form_refs, ctx, caf)
    return p.Meta(
        server_time=ctx.now(),
        api_version=p.API_VERSION,
        min_client_version=p.MIN_CLIENT_VERSION,
        max_body_bytes=ctx.settings.max_body_bytes,
        max_attachment_bytes=ctx.settings.max_attachment_bytes,
        forms=forms,
        server_id=ctx.server_id,
    )


@router.get("/forms", response_model=p.FormList, summary="Définitions de formulaire servies, avec leur campagne")
async def list_forms(ctx: Ctx, caf: PartnerCaf) -> p.FormList:
    return p.FormList(forms=await run_in_threadpool(campaigns.form_refs, ctx, caf))


@router.get("/forms/{form_id}", summary="Une définition de formulaire (la dernière version, ou ?version=N)")
def get_form(
    ctx: Ctx, form_id: str, version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None
) -> dict[str, Any]:
    try:
        definition = ctx.registry.get(form_id, version)
    except KeyError:
        raise ApiProblem(404, p.NOT_FOUND, "Formulaire inconnu du serveur") from None
    # exclude_unset gives back the file's own shape, which parse_definition reads again identically.
    return definition.model_dump(mode="json", by_alias=True, exclude_unset=True)


@router.post(
    "/auth/token",
    response_model=p.TokenResponse,
    summary="Connexion : e-mail et mot de passe contre un jeton opaque",
    responses={401: {"description": "Identifiants incorrects"}, 429: {"description": "Trop de tentatives"}},
)
async def token(ctx: Ctx, credentials: p.TokenRequest, request: Request) -> p.TokenResponse:
    client = request.client.host if request.client else None
    return await run_in_threadpool(accounts.login, ctx, credentials.email, credentials.password, client)


@router.delete(
    "/auth/token",
    status_code=204,
    summary="Déconnexion : le jeton présenté est révoqué aussitôt",
    responses={401: {"description": "Aucun jeton présenté"}},
)
async def revoke(ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Response:
    await run_in_threadpool(accounts.revoke_token, ctx, credentials.credentials if credentials else None)
    return Response(status_code=204)
