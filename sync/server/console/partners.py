"""Partner accounts of one Caf, administered from the console: create, reset the password (a one-time
password shown once, stored only hashed, every token revoked), deactivate."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func
from sqlmodel import Session, select

from sync.server import accounts
from sync.server.context import ServerContext
from sync.server.models import Account, ApiToken, ConsoleSession, Questionnaire

# Not an argon2 hash: every verification fails, so a deactivated account cannot sign in; a password
# reset (a new hash) reactivates it.
DEACTIVATED = "!deactivated"
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I: read over the phone


class PartnerError(ValueError):
    """A refused administration step; the message is French."""


@dataclass(frozen=True)
class PartnerRow:
    account: Account
    active: bool
    questionnaires: int


def one_time_password() -> str:
    groups = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


def list_partners(ctx: ServerContext, caf: str) -> list[PartnerRow]:
    with ctx.db.read() as session:
        found = session.exec(
            select(Account).where(Account.caf == caf, Account.role == accounts.PARTNER).order_by(Account.name)
        ).all()
        counts = dict(
            session.exec(  # type: ignore[call-overload]
                select(Questionnaire.organisation_id, func.count())
                .where(Questionnaire.caf == caf)
                .group_by(Questionnaire.organisation_id)  # type: ignore[arg-type]
            ).all()
        )
    return [PartnerRow(a, a.password_hash != DEACTIVATED, int(counts.get(a.id or 0, 0))) for a in found]


def create_partner(ctx: ServerContext, caf: str, email: str, name: str) -> tuple[Account, str]:
    """The new partner of this Caf and its one-time password."""
    if not name.strip():
        raise PartnerError("Indiquez le nom de l'organisation.")
    password = one_time_password()
    try:
        account = accounts.create_account(
            ctx, role=accounts.PARTNER, email=email, password=password, caf=caf, name=name
        )
    except accounts.AccountError as refused:
        raise PartnerError(str(refused)) from None
    return account, password


def _partner(session: Session, caf: str, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None or account.caf != caf or account.role != accounts.PARTNER:
        raise PartnerError("Compte introuvable.")
    return account


def _revoke(session: Session, account_id: int) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account_id))  # type: ignore[arg-type]
    session.execute(delete(ApiToken).where(ApiToken.account_id == account_id))  # type: ignore[arg-type]


def reset_password(ctx: ServerContext, caf: str, account_id: int) -> tuple[Account, str]:
    password = one_time_password()
    password_hash = ctx.hasher.hash(password)  # slow on purpose: outside the write transaction

    def work(session: Session) -> Account:
        account = _partner(session, caf, account_id)
        account.password_hash = password_hash
        session.add(account)
        _revoke(session, account_id)
        return account

    account = ctx.db.write(work)
    return account, password


def deactivate(ctx: ServerContext, caf: str, account_id: int) -> Account:
    def work(session: Session) -> Account:
        account = _partner(session, caf, account_id)
        account.password_hash = DEACTIVATED
        session.add(account)
        _revoke(session, account_id)
        return account

    return ctx.db.write(work)
