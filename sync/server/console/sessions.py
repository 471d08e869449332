"""Console sign-in: a session cookie that is the opaque API token of the agent, a CSRF token per session,
idle expiry, sign-out. Verification and throttling are the API's own (accounts.login)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import delete, select
from sqlmodel import Session

from sync.server import accounts
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.models import Account, ApiToken, ConsoleSession
from sync.server.problems import ApiProblem

COOKIE = "bilan_caf_session"
LOGIN_COOKIE = "bilan_caf_login"  # double-submit CSRF token of the sign-in form (no session yet)
CSRF_FIELD = "csrf_token"
# Writing last_seen on every page would make every read a write: only when it is this stale.
_TOUCH_AFTER = dt.timedelta(seconds=60)

_S, _T, _A = table(ConsoleSession), table(ApiToken), table(Account)
_FIND = (
    select(_S.c.csrf_token, _S.c.last_seen_at, _T.c.expires_at, *_A.c)
    .join(_T, _T.c.token_hash == _S.c.token_hash)
    .join(_A, _A.c.id == _S.c.account_id)
)


class SignInError(Exception):
    """A refused sign-in; the message is French."""


@dataclass(frozen=True)
class Agent:
    account: Account
    csrf_token: str
    token_hash: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def secure_request(ctx: ServerContext, request: Request) -> bool:
    """Whether the browser reached us over HTTPS (the proxy's word only when configured to trust it)."""
    if request.url.scheme == "https":
        return True
    if ctx.settings.trust_forwarded_proto:
        forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
        return forwarded == "https"
    return False


def sign_in(ctx: ServerContext, email: str, password: str) -> str:
    """A new session token for a reviewer's valid credentials (always a new one: no session fixation)."""
    try:
        issued = accounts.login(ctx, email, password)
    except ApiProblem as refused:
        raise SignInError(refused.title or "Connexion refusée.") from None
    token = issued.access_token
    digest = token_hash(token)
    now = ctx.now()

    def work(session: Session) -> None:
        row = session.connection().execute(select(_T.c.account_id).where(_T.c.token_hash == digest)).first()
        assert row is not None
        if issued.role != "reviewer":
            session.execute(delete(_T).where(_T.c.token_hash == digest))
            return
        session.add(
            ConsoleSession(
                token_hash=digest,
                account_id=row.account_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
            )
        )

    ctx.db.write(work)
    if issued.role != "reviewer":
        raise SignInError("Cette console est réservée aux agents de la Caf : les partenaires utilisent l'application.")
    return token


def current_agent(ctx: ServerContext, token: str | None) -> Agent | None:
    """The signed-in agent of a session cookie, or None (unknown, revoked, expired or idle too long)."""
    if not token:
        return None
    digest = token_hash(token)
    with ctx.db.read() as session:
        found = session.connection().execute(_FIND.where(_S.c.token_hash == digest)).first()
    if found is None:
        return None
    now = ctx.now()
    account = Account(**{c.name: found._mapping[c] for c in _A.c})
    if found.expires_at <= now or account.role != accounts.REVIEWER:
        return None
    if now - found.last_seen_at > ctx.settings.console_idle:
        sign_out(ctx, token)
        return None
    if now - found.last_seen_at > _TOUCH_AFTER:

        def touch(session: Session) -> None:
            session.execute(_S.update().where(_S.c.token_hash == digest).values(last_seen_at=now))

        ctx.db.write(touch)
    return Agent(account=account, csrf_token=found.csrf_token, token_hash=digest)


def sign_out(ctx: ServerContext, token: str) -> None:
    digest = token_hash(token)

    def work(session: Session) -> None:
        session.execute(delete(_S).where(_S.c.token_hash == digest))
        session.execute(delete(_T).where(_T.c.token_hash == digest))

    ctx.db.write(work)


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())
