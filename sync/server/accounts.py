"""Accounts, passwords (argon2), opaque bearer tokens stored hashed, and login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete
from sqlmodel import Session, select

from sync import protocol as p
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.feed import ensure_counter
from sync.server.models import Account, ApiToken, LoginFailure
from sync.server.problems import ApiProblem

PARTNER = "partner"
REVIEWER = "reviewer"


class AccountError(ValueError):
    """An account that cannot be created; the message is French."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_account(
    ctx: ServerContext, *, role: str, email: str, password: str, caf: str, name: str | None = None
) -> Account:
    email = normalise_email(email)
    caf = caf.strip()
    if "@" not in email or len(email) > 254:
        raise AccountError(f"Adresse e-mail invalide : {email!r}.")
    if len(password) < 8:
        raise AccountError("Mot de passe trop court : 8 caractères au minimum.")
    if not caf or len(caf) > 64:
        raise AccountError("Code Caf manquant ou trop long.")
    label = (name or "").strip() or (email if role == PARTNER else f"Caf {caf}")
    password_hash = ctx.hasher.hash(password)  # slow on purpose: outside the write transaction

    def work(session: Session) -> Account:
        if session.exec(select(Account).where(Account.email == email)).first() is not None:
            raise AccountError(f"Un compte existe déjà pour {email}.")
        account = Account(
            email=email, role=role, caf=caf, name=label[:500], password_hash=password_hash, created_at=ctx.now()
        )
        session.add(account)
        session.flush()
        assert account.id is not None
        if role == PARTNER:
            ensure_counter(session, account.id)
        return account

    return ctx.db.write(work)


def find_account(ctx: ServerContext, email: str, role: str) -> Account:
    with ctx.db.read() as session:
        account = session.exec(
            select(Account).where(Account.email == normalise_email(email), Account.role == role)
        ).first()
    if account is None:
        kind = "relecteur (Caf)" if role == REVIEWER else "partenaire"
        raise AccountError(f"Aucun compte {kind} pour {normalise_email(email)}.")
    return account


def _rate_limited(ctx: ServerContext, session: Session, email: str) -> ApiProblem | None:
    now = ctx.now()
    window = ctx.settings.login_window
    failures = session.exec(
        select(LoginFailure.at)
        .where(LoginFailure.email == email, LoginFailure.at > now - window)
        .order_by(LoginFailure.at)  # type: ignore[arg-type]
    ).all()
    limit = ctx.settings.login_max_failures
    if len(failures) < limit:
        return None
    # Allowed again once enough of the failures in the window have aged out of it.
    retry_after = max(1, math.ceil((failures[len(failures) - limit] + window - now).total_seconds()))
    return ApiProblem(
        429,
        p.RATE_LIMITED,
        f"Trop de tentatives de connexion : réessayez dans {math.ceil(retry_after / 60)} minute(s)",
        headers={p.RETRY_AFTER_HEADER: str(retry_after)},
        retry_after=retry_after,
    )


_DUMMY_HASH: dict[int, str] = {}


def login(ctx: ServerContext, email: str, password: str) -> p.TokenResponse:
    """A fresh token for valid credentials; 401 otherwise, 429 after too many failures."""
    email = normalise_email(email)
    with ctx.db.read() as session:
        limited = _rate_limited(ctx, session, email)
        account = session.exec(select(Account).where(Account.email == email)).first()
    if limited is not None:
        raise limited
    # Verify outside any transaction (argon2 is slow); an unknown e-mail costs the same time.
    stored = account.password_hash if account else _DUMMY_HASH.setdefault(0, ctx.hasher.hash(secrets.token_hex(8)))
    try:
        ok = ctx.hasher.verify(stored, password) and account is not None
    except (VerificationError, InvalidHashError):
        ok = False
    now = ctx.now()
    if not ok or account is None:

        def record(session: Session) -> None:
            session.add(LoginFailure(email=email, at=now))

        ctx.db.write(record)
        raise ApiProblem(401, p.UNAUTHORIZED, "E-mail ou mot de passe incorrect")
    token = secrets.token_urlsafe(32)
    expires = now + ctx.settings.token_ttl

    def issue(session: Session) -> None:
        session.execute(delete(LoginFailure).where(LoginFailure.email == email))  # type: ignore[arg-type]
        session.execute(
            delete(ApiToken).where(ApiToken.account_id == account.id, ApiToken.expires_at <= now)  # type: ignore[arg-type]
        )
        assert account.id is not None
        session.add(ApiToken(token_hash=_token_hash(token), account_id=account.id, created_at=now, expires_at=expires))

    ctx.db.write(issue)
    return p.TokenResponse(
        access_token=token,
        expires_in=int(ctx.settings.token_ttl.total_seconds()),
        role="partner" if account.role == PARTNER else "reviewer",
        organisation=account.name,
        caf=account.caf,
    )


def _check_expiry(ctx: ServerContext, expires_at: dt.datetime) -> None:
    if expires_at <= ctx.now():
        raise ApiProblem(
            401,
            p.UNAUTHORIZED,
            "Session expirée : reconnectez-vous",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )


def _missing() -> ApiProblem:
    return ApiProblem(401, p.UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})


def authenticate_cached(ctx: ServerContext, token: str | None) -> Account | None:
    """The token's account from the in-memory cache, or None when it must be looked up (no I/O)."""
    if not token:
        raise _missing()
    hit = ctx.tokens.get(_token_hash(token))
    if hit is None:
        return None
    account, expires_at = hit
    _check_expiry(ctx, expires_at)
    return account


def authenticate(ctx: ServerContext, token: str | None) -> Account:
    """The account a bearer token belongs to; 401 if missing, unknown or expired."""
    if not token:
        raise _missing()
    digest = _token_hash(token)
    tokens, accounts_ = table(ApiToken), table(Account)
    with ctx.db.read() as session:
        found = (
            session.connection()
            .execute(
                select(tokens.c.expires_at, *accounts_.c)
                .join(accounts_, accounts_.c.id == tokens.c.account_id)
                .where(tokens.c.token_hash == digest)
            )
            .first()
        )
    if found is None:
        raise ApiProblem(
            401, p.UNAUTHORIZED, "Jeton inconnu : reconnectez-vous", headers={"WWW-Authenticate": "Bearer"}
        )
    _check_expiry(ctx, found.expires_at)
    account = Account(**{c.name: found._mapping[c] for c in accounts_.c})
    ctx.tokens.put(digest, account, found.expires_at)
    return account
