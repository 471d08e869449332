"""Accounts, passwords (argon2), opaque bearer tokens stored hashed, and login throttling."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import secrets
import threading
from collections.abc import Callable
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from sync import protocol as p
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.feed import ensure_counter
from sync.server.models import Account, ApiToken, KnownClient, LoginFailure, LoginLock
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


def _retry_problem(retry_after: int) -> ApiProblem:
    retry_after = max(1, retry_after)
    return ApiProblem(
        429,
        p.RATE_LIMITED,
        f"Trop de tentatives de connexion : réessayez dans {math.ceil(retry_after / 60)} minute(s)",
        headers={p.RETRY_AFTER_HEADER: str(retry_after)},
        retry_after=retry_after,
    )


def _lock_keys(ctx: ServerContext, session: Session, keys: list[str]) -> None:
    """Serialise the attempts on these keys until commit: SQLite's BEGIN IMMEDIATE already does (one
    writer at a time); PostgreSQL locks one row per key, always in the same order (no deadlock)."""
    if ctx.db.is_sqlite:
        return
    locks = table(LoginLock)
    for key in sorted(keys):
        session.execute(pg_insert(locks).values(key=key).on_conflict_do_nothing())
        session.execute(select(locks.c.key).where(locks.c.key == key).with_for_update())


def _hard_limit(times: list[dt.datetime], limit: int, window: dt.timedelta, now: dt.datetime) -> int | None:
    """Seconds to wait when `limit` failures (oldest first) are in the window; None when allowed."""
    if len(times) < limit:
        return None
    # Allowed again once enough of the failures in the window have aged out of it.
    return math.ceil((times[len(times) - limit] + window - now).total_seconds())


def _progressive_delay(times: list[dt.datetime], free: int, now: dt.datetime) -> int | None:
    """Past `free` failures, each attempt waits twice as long after the last one (30 s, 1 min, … 15 min)."""
    if len(times) < free:
        return None
    first = FIRST_PROGRESSIVE_DELAY.total_seconds()
    delay = min(first * 2.0 ** min(len(times) - free, 20), MAX_PROGRESSIVE_DELAY.total_seconds())
    wait = math.ceil((times[-1] + dt.timedelta(seconds=delay) - now).total_seconds())
    return wait if wait > 0 else None


FIRST_PROGRESSIVE_DELAY = dt.timedelta(seconds=30)
MAX_PROGRESSIVE_DELAY = dt.timedelta(minutes=15)
_DUMMY_HASH: dict[int, str] = {}
# As many verifications at once as there are cores: argon2 holds 19 MiB each and is memory-bound, so
# 40 at once (the threadpool) cost 20 % more CPU apiece and 760 MB; the others queue for a core.
_HASHING = threading.BoundedSemaphore(os.cpu_count() or 2)


def _begin_attempt(ctx: ServerContext, email: str, client: str) -> tuple[int, Account | None]:
    """Count the recent failures and record this attempt as one, in one transaction (atomic throttling).

    The row stands for a failure until the password is proved right; then only this row is marked
    a success, so a right guess inside a burst erases none of the burst's failures.
    """
    now = ctx.now()
    settings = ctx.settings
    window = settings.login_window
    failures = table(LoginFailure)

    def work(s: Session) -> tuple[int | None, int, Account | None]:
        def times(*conditions: Any) -> list[dt.datetime]:
            query = select(failures.c.at).where(failures.c.at > now - window, *conditions).order_by(failures.c.at)
            return [row.at for row in s.execute(query)]

        failed = failures.c.succeeded.is_(False)
        _lock_keys(ctx, s, [f"email:{email}", f"client:{client}"])
        s.execute(delete(failures).where(failures.c.at < now - settings.login_failure_retention))
        account = s.exec(select(Account).where(Account.email == email)).first()
        waits = [_hard_limit(times(failures.c.email == email, failures.c.client == client, failed),
                             settings.login_max_failures, window, now)]  # fmt: skip
        if client:
            waits.append(
                _hard_limit(times(failures.c.client == client, failed), settings.login_client_max_failures, window, now)
            )
        known = account is not None and bool(client) and s.get(KnownClient, (account.id, client)) is not None
        if not known:  # a stranger's failures cannot lock out a client this account logged in from
            waits.append(
                _progressive_delay(times(failures.c.email == email, failed), settings.login_email_free_failures, now)
            )
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            return wait, 0, None
        row = LoginFailure(email=email, client=client, at=now)
        s.add(row)
        s.flush()
        assert row.id is not None
        return None, row.id, account

    wait, attempt_id, account = ctx.db.write(work)
    if wait is not None:
        raise _retry_problem(wait)
    return attempt_id, account


def verify_credentials(
    ctx: ServerContext,
    email: str,
    password: str,
    client: str | None = None,
    then: Callable[[Session, Account], None] | None = None,
) -> Account:
    """The account of these credentials: 401 when wrong, 429 when throttled (policy in the README,
    « Comptes du serveur »). `client` is the client's address, when known (HTTP: request.client.host).
    `then` runs in the transaction that records the success (the token of a login: one commit, not two)."""
    email = normalise_email(email)
    client = (client or "")[:64]
    attempt_id, account = _begin_attempt(ctx, email, client)
    # Verify outside any transaction (argon2 is slow); an unknown e-mail costs the same time.
    # The dummy hash is made once (setdefault's argument would hash again on every unknown e-mail,
    # which made those attempts twice as slow as a known one's: a way to tell which e-mails exist).
    if account is None and 0 not in _DUMMY_HASH:
        _DUMMY_HASH[0] = ctx.hasher.hash(secrets.token_hex(8))
    stored = account.password_hash if account else _DUMMY_HASH[0]
    try:
        with _HASHING:
            ok = ctx.hasher.verify(stored, password) and account is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or account is None:
        raise ApiProblem(401, p.UNAUTHORIZED, "E-mail ou mot de passe incorrect")
    now = ctx.now()

    def succeeded(session: Session) -> None:
        attempts = table(LoginFailure)
        session.execute(update(attempts).where(attempts.c.id == attempt_id).values(succeeded=True, at=now))
        if client:
            known = session.get(KnownClient, (account.id, client))
            if known is None:
                assert account.id is not None
                session.add(KnownClient(account_id=account.id, client=client, last_login_at=now))
            else:
                known.last_login_at = now
                session.add(known)
        if then is not None:
            assert account is not None
            then(session, account)

    ctx.db.write(succeeded)
    return account


def login(ctx: ServerContext, email: str, password: str, client: str | None = None) -> p.TokenResponse:
    """A fresh token for valid credentials; 401 otherwise, 429 when throttled."""
    token = secrets.token_urlsafe(32)

    def issue(session: Session, account: Account) -> None:
        now = ctx.now()
        session.execute(
            delete(ApiToken).where(ApiToken.account_id == account.id, ApiToken.expires_at <= now)  # type: ignore[arg-type]
        )
        assert account.id is not None
        expires = now + ctx.settings.token_ttl
        session.add(ApiToken(token_hash=_token_hash(token), account_id=account.id, created_at=now, expires_at=expires))

    account = verify_credentials(ctx, email, password, client, then=issue)
    return p.TokenResponse(
        access_token=token,
        expires_in=int(ctx.settings.token_ttl.total_seconds()),
        role="partner" if account.role == PARTNER else "reviewer",
        organisation=account.name,
        caf=account.caf,
    )


def revoke_token(ctx: ServerContext, token: str | None) -> None:
    """Logout: the token stops working at once (no cache holds it). Unknown tokens are fine (idempotent)."""
    if not token:
        raise _missing()
    digest = _token_hash(token)
    ctx.db.write(lambda session: session.execute(delete(table(ApiToken)).where(table(ApiToken).c.token_hash == digest)))


def set_password(ctx: ServerContext, account_id: int, password: str) -> None:
    """Password reset: the new password, and every token of the account revoked at once."""
    if len(password) < 8:
        raise AccountError("Mot de passe trop court : 8 caractères au minimum.")
    password_hash = ctx.hasher.hash(password)

    def work(session: Session) -> None:
        account = session.get(Account, account_id)
        if account is None:
            raise AccountError("Compte inconnu.")
        account.password_hash = password_hash
        session.add(account)
        session.execute(delete(table(ApiToken)).where(table(ApiToken).c.account_id == account_id))

    ctx.db.write(work)


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


def authenticate(ctx: ServerContext, token: str | None) -> Account:
    """The account a bearer token belongs to; 401 if missing, unknown, revoked or expired.

    Looked up on every request (no cache: a revoked token or a reset password takes effect at once).
    Expiry slides: a token used again gets a new full lifetime, written at most once an hour.
    """
    if not token:
        raise _missing()
    digest = _token_hash(token)
    with ctx.db.read_engine.connect() as connection:  # no ORM session: a pooled connection, one statement
        found = connection.execute(_FIND_TOKEN, {"b_digest": digest}).first()
    if found is None:
        raise ApiProblem(
            401, p.UNAUTHORIZED, "Jeton inconnu : reconnectez-vous", headers={"WWW-Authenticate": "Bearer"}
        )
    _check_expiry(ctx, found.expires_at)
    renewed = ctx.now() + ctx.settings.token_ttl
    if renewed - found.expires_at >= SLIDE_GRANULARITY:

        def slide(session: Session) -> None:
            session.execute(update(_TOKENS).where(_TOKENS.c.token_hash == digest).values(expires_at=renewed))

        ctx.db.write(slide)
    return Account(**{c.name: found._mapping[c] for c in _ACCOUNTS.c})


# Built once: the token lookup runs on every request.
_TOKENS, _ACCOUNTS = table(ApiToken), table(Account)
_FIND_TOKEN = (
    select(_TOKENS.c.expires_at, *_ACCOUNTS.c)
    .join(_ACCOUNTS, _ACCOUNTS.c.id == _TOKENS.c.account_id)
    .where(_TOKENS.c.token_hash == bindparam("b_digest"))
)


SLIDE_GRANULARITY = dt.timedelta(hours=1)
