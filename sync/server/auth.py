"""FastAPI dependencies: the server context, the bearer token's account, and its role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from sync import protocol as p
from sync.server.accounts import PARTNER, REVIEWER, authenticate
from sync.server.context import ServerContext
from sync.server.models import Account
from sync.server.problems import ApiProblem

bearer = HTTPBearer(auto_error=False, description="Jeton opaque obtenu par POST /api/v1/auth/token")


# Trivial dependencies are `async def`: FastAPI runs a plain `def` dependency in the threadpool,
# one thread hop each per request.
async def get_ctx(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ServerContext, Depends(get_ctx)]


async def current_account(
    ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Account:
    token = credentials.credentials if credentials else None
    # One query per request, off the event loop: no cache, so a revoked token stops at once.
    return await run_in_threadpool(authenticate, ctx, token)


def _role(account: Account, role: str) -> Account:
    if account.role != role:
        title = "Réservé aux partenaires" if role == PARTNER else "Réservé aux agents de la Caf"
        raise ApiProblem(403, p.FORBIDDEN, title)
    return account


async def partner_account(account: Annotated[Account, Depends(current_account)]) -> Account:
    return _role(account, PARTNER)


async def reviewer_account(account: Annotated[Account, Depends(current_account)]) -> Account:
    return _role(account, REVIEWER)


Partner = Annotated[Account, Depends(partner_account)]
Reviewer = Annotated[Account, Depends(reviewer_account)]


async def optional_caf(
    ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> str | None:
    """The Caf of a signed-in partner, to give it its own campaign windows; None for anyone else.
    /meta and /forms stay open to all: a missing or stale token only means the national windows."""
    if credentials is None:
        return None
    try:
        account = await current_account(ctx, credentials)
    except ApiProblem:
        return None
    return account.caf if account.role == PARTNER else None


PartnerCaf = Annotated[str | None, Depends(optional_caf)]
