"""Server settings: database, size limits, token lifetime, login throttling, and an injectable clock."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SQLITE_FILE = "bilan-clas-server.sqlite3"
DATABASE_ENV = "BILAN_CLAS_SERVER_DB"
FORMS_ENV = "BILAN_CLAS_SERVER_FORMS"  # extra definition folders, separated by os.pathsep
SMTP_ENV = "BILAN_CLAS_SMTP_URL"  # smtp://, smtp+starttls:// or smtps:// (sync.server.mail); unset: no e-mail
MAIL_FROM_ENV = "BILAN_CLAS_MAIL_FROM"
TRUST_PROXY_ENV = "BILAN_CLAS_SERVER_TRUST_PROXY"  # "1": believe X-Forwarded-Proto (behind a reverse proxy)
MIB = 1024 * 1024


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_database_url() -> str:
    """BILAN_CLAS_SERVER_DB (a URL, or a path to a SQLite file), else ./bilan-clas-server.sqlite3."""
    return database_url_from(os.environ.get(DATABASE_ENV) or DEFAULT_SQLITE_FILE)


def default_forms_dirs() -> tuple[Path, ...]:
    return tuple(Path(part) for part in os.environ.get(FORMS_ENV, "").split(os.pathsep) if part)


def database_url_from(value: str) -> str:
    """A SQLAlchemy URL as is; anything else is a SQLite file path."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=default_database_url)
    # A push batch of 50 full questionnaires stays well under this; attachments have their own limit.
    max_body_bytes: int = 4 * MIB
    max_attachment_bytes: int = 10 * MIB
    token_ttl: dt.timedelta = dt.timedelta(days=30)
    # Login throttling (README, « Comptes du serveur »): failures counted over login_window, per
    # (e-mail, client address) and per address with hard limits; per e-mail across addresses with a
    # progressive delay past login_email_free_failures, which a client that logged in before skips.
    login_max_failures: int = 5
    login_client_max_failures: int = 30
    login_email_free_failures: int = 10
    login_window: dt.timedelta = dt.timedelta(minutes=15)
    login_failure_retention: dt.timedelta = dt.timedelta(days=1)
    # Attachments uploaded for a questionnaire that never got a version: kept this long, and at most
    # this many bytes per organisation (uploads beyond are refused with quota_exceeded).
    pending_attachment_ttl: dt.timedelta = dt.timedelta(days=30)
    pending_attachment_quota_bytes: int = 200 * MIB
    # Aware UTC datetimes; tests move time forward through this instead of sleeping.
    clock: Callable[[], dt.datetime] = utc_now
    # Definitions served and validated against, besides those shipped in resources/forms.
    forms_dirs: tuple[Path, ...] = field(default_factory=lambda: default_forms_dirs())
    # Bigger pools than SQLAlchemy's default (5 + 10): the threadpool runs up to 40 requests at once.
    pool_size: int = 20
    max_overflow: int = 30
    # E-mail (sync.server.mail): None = no mail. The queue lives in the database; the sender retries
    # with exponential backoff from `mail_retry_base` up to `mail_retry_cap`.
    smtp_url: str | None = field(default_factory=lambda: os.environ.get(SMTP_ENV) or None)
    mail_from: str = field(
        default_factory=lambda: os.environ.get(MAIL_FROM_ENV) or "Bilan Clas <ne-pas-repondre@bilan-clas.invalid>"
    )
    mail_retry_base: dt.timedelta = dt.timedelta(seconds=30)
    mail_retry_cap: dt.timedelta = dt.timedelta(hours=1)
    mail_timeout: float = 10.0
    mail_poll: float = 5.0  # seconds between two passes of the sender
    mail_digest_every: dt.timedelta = dt.timedelta(days=1)
    # The Caf console (/caf/): idle time before a session ends, and whether X-Forwarded-Proto is believed
    # (only behind a reverse proxy that sets it; otherwise anyone could claim HTTPS).
    console_idle: dt.timedelta = dt.timedelta(minutes=30)
    trust_forwarded_proto: bool = field(default_factory=lambda: os.environ.get(TRUST_PROXY_ENV) == "1")

    def now(self) -> dt.datetime:
        return self.clock()
