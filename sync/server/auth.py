"""FastAPI dependencies: the server context, the bearer token's account, and its role."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sync import protocol as p
from sync.server.accounts import PARTNER, REVIEWER, authenticate
from sync.server.context import ServerContext
from sync.server.models import Account
from sync.server.problems import ApiProblem

_bearer = HTTPBearer(auto_error=False, description="Jeton opaque obtenu par POST /api/v1/auth/token")


def get_ctx(request: Request) -> ServerContext:
    ctx: ServerContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ServerContext, Depends(get_ctx)]


def current_account(ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Account:
    return authenticate(ctx, credentials.credentials if credentials else None)


def _role(account: Account, role: str) -> Account:
    if account.role != role:
        title = "Réservé aux partenaires" if role == PARTNER else "Réservé aux agents de la Caf"
        raise ApiProblem(403, p.FORBIDDEN, title)
    return account


def partner_account(account: Annotated[Account, Depends(current_account)]) -> Account:
    return _role(account, PARTNER)


def reviewer_account(account: Annotated[Account, Depends(current_account)]) -> Account:
    return _role(account, REVIEWER)


Partner = Annotated[Account, Depends(partner_account)]
Reviewer = Annotated[Account, Depends(reviewer_account)]
