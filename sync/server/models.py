"""Database tables (SQLModel), the same on SQLite and PostgreSQL.

JSON documents (answers, attachments, feed data, audit detail) are stored as canonical JSON text, so
the bytes read back are the bytes hashed and replayed, whatever the database's JSON type does.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, Index, LargeBinary, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes in and out; SQLite has no time zones, so naive values read back are UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class ServerModel(SQLModel, registry=registry()):
    """The server's own metadata: the desktop store (forms/store) has tables of the same names."""


class Account(ServerModel, table=True):
    """A partner organisation (role "partner") or a Caf agent (role "reviewer")."""

    __tablename__ = "account"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # stored lower-case
    role: str = Field(max_length=16)
    caf: str = Field(max_length=64, index=True)
    name: str = Field(max_length=500)
    password_hash: str = Field(max_length=200)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class ApiToken(ServerModel, table=True):
    __tablename__ = "api_token"
    token_hash: str = Field(primary_key=True, max_length=64)  # sha256 of the opaque token
    account_id: int = Field(foreign_key="account.id", index=True)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    expires_at: dt.datetime = Field(sa_type=UtcDateTime)


class LoginFailure(ServerModel, table=True):
    """One password check: recorded before it runs (so it counts while under way), a failure unless
    marked `succeeded` afterwards; rows older than Settings.login_failure_retention are purged."""

    __tablename__ = "login_failure"
    # The throttling reads one e-mail's or one address's attempts within the window, oldest first:
    # (email, at) and (client, at) give exactly those rows in order, however many the day brought
    # (an address shared by a whole federation, the national peak). `at` alone serves the purge.
    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_client_at", "client", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    client: str = Field(default="", max_length=64)  # the client's address ("" when unknown)
    at: dt.datetime = Field(sa_type=UtcDateTime, index=True)
    succeeded: bool = False


class LoginLock(ServerModel, table=True):
    """One row per throttled key ("email:…", "client:…"), locked FOR UPDATE while attempts are counted."""

    __tablename__ = "login_lock"
    key: str = Field(primary_key=True, max_length=330)


class KnownClient(ServerModel, table=True):
    """An address this account logged in from: the global per-e-mail limit does not apply to it."""

    __tablename__ = "known_client"
    account_id: int = Field(primary_key=True, foreign_key="account.id")
    client: str = Field(primary_key=True, max_length=64)
    last_login_at: dt.datetime = Field(sa_type=UtcDateTime)


class QuestionnaireClaim(ServerModel, table=True):
    """The organisation a questionnaire id belongs to, bound at its first write (attachment or version)."""

    __tablename__ = "questionnaire_claim"
    questionnaire_id: uuid.UUID = Field(primary_key=True)
    organisation_id: int = Field(foreign_key="account.id", index=True)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class ServerIdentity(ServerModel, table=True):
    """This server's stable id (one row), so clients can tell one server from another behind an address."""

    __tablename__ = "server_identity"
    id: int = Field(default=1, primary_key=True)
    server_id: uuid.UUID
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class Questionnaire(ServerModel, table=True):
    __tablename__ = "questionnaire"
    id: uuid.UUID = Field(primary_key=True)
    organisation_id: int = Field(foreign_key="account.id", index=True)
    caf: str = Field(max_length=64, index=True)
    form_id: str = Field(max_length=64)
    form_version: int
    state: str = Field(max_length=16)
    current_version_id: uuid.UUID
    server_rev: int
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class Version(ServerModel, table=True):
    """One immutable version; partner transmissions and Caf edits alike."""

    __tablename__ = "version"
    # The unique key's index serves lookups by questionnaire too (its first column): no second index
    # to update on every transmission.
    __table_args__ = (UniqueConstraint("questionnaire_id", "server_rev"),)
    id: uuid.UUID = Field(primary_key=True)
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaire.id")
    base_version_id: uuid.UUID | None = None
    server_rev: int
    author_role: str = Field(max_length=16)
    author_id: int = Field(foreign_key="account.id")
    form_id: str = Field(max_length=64)
    form_version: int
    answers_json: str = Field(sa_type=Text)
    attachments_json: str = Field(sa_type=Text)
    payload_sha256: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class IdempotencyRecord(ServerModel, table=True):
    """The answer given to the first delivery of a version id, replayed verbatim forever (no TTL)."""

    __tablename__ = "idempotency_record"
    key: uuid.UUID = Field(primary_key=True)  # the version id
    scope: str = Field(max_length=80)  # "org:<account id>" or "caf:<code>": lookups are scoped (IETF draft)
    questionnaire_id: uuid.UUID
    payload_sha256: str = Field(max_length=64)
    status: int
    response_json: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class Attachment(ServerModel, table=True):
    __tablename__ = "attachment"
    questionnaire_id: uuid.UUID = Field(primary_key=True)
    sha256: str = Field(primary_key=True, max_length=64)
    organisation_id: int = Field(foreign_key="account.id", index=True)
    size: int
    media_type: str = Field(max_length=127)
    data: bytes = Field(sa_type=LargeBinary)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class Notice(ServerModel, table=True):
    __tablename__ = "notice"
    id: uuid.UUID = Field(primary_key=True)
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaire.id", index=True)
    version_id: uuid.UUID
    question_id: str | None = Field(default=None, max_length=64)
    message: str = Field(sa_type=Text)
    status: str = Field(max_length=16)
    author_id: int = Field(foreign_key="account.id")
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    resolved_by_version_id: uuid.UUID | None = None
    resolved_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class FeedCounter(ServerModel, table=True):
    """The last feed seq of one partner organisation; incremented inside each writing transaction."""

    __tablename__ = "feed_counter"
    organisation_id: int = Field(primary_key=True, foreign_key="account.id")
    last_seq: int = 0


class FeedChange(ServerModel, table=True):
    __tablename__ = "feed_change"
    # Pages are read on the unique key's index (organisation_id, seq): a range from the cursor, in order.
    __table_args__ = (UniqueConstraint("organisation_id", "seq"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="account.id")
    seq: int
    type: str = Field(max_length=32)
    questionnaire_id: uuid.UUID
    data_json: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class AuditEntry(ServerModel, table=True):
    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: uuid.UUID = Field(index=True)
    caf: str = Field(max_length=64)
    actor_id: int = Field(foreign_key="account.id")
    actor_email: str = Field(max_length=254)
    action: str = Field(max_length=32)
    detail_json: str = Field(sa_type=Text)
    at: dt.datetime = Field(sa_type=UtcDateTime)


class CampaignWindow(ServerModel, table=True):
    """A campaign window set by the Caf or Cnaf, overriding the definition's dates (None: keep it)."""

    __tablename__ = "campaign_window"
    form_id: str = Field(primary_key=True, max_length=64)
    opens: dt.date | None = None
    closes: dt.date | None = None
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class CampaignCafWindow(ServerModel, table=True):
    """One Caf's own collection window for a campaign (seed 000: « Les Caf peuvent adapter la diffusion
    des dates de collecte »); over the national window, which stays the default (None: keep it)."""

    __tablename__ = "campaign_caf_window"
    form_id: str = Field(primary_key=True, max_length=64)
    caf: str = Field(primary_key=True, max_length=64)
    opens: dt.date | None = None
    closes: dt.date | None = None
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class NoticeReply(ServerModel, table=True):
    """A partner's reply to a Caf notice; its id is made by the client and is the idempotency key."""

    __tablename__ = "notice_reply"
    id: uuid.UUID = Field(primary_key=True)
    notice_id: uuid.UUID = Field(foreign_key="notice.id", index=True)
    questionnaire_id: uuid.UUID = Field(foreign_key="questionnaire.id", index=True)
    author_id: int = Field(foreign_key="account.id")
    message: str = Field(sa_type=Text)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class MailMessage(ServerModel, table=True):
    """An e-mail waiting in the durable queue (or sent: sent_at set); the background sender retries it."""

    __tablename__ = "mail_message"
    __table_args__ = (Index("ix_mail_due", "sent_at", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # transmitted | returned | validated | digest
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=500)
    body: str = Field(sa_type=Text)
    questionnaire_id: uuid.UUID | None = None
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(sa_type=UtcDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class CafMail(ServerModel, table=True):
    """A Caf's own address, for the daily digest of new transmissions (`caf set CODE --email`)."""

    __tablename__ = "caf_mail"
    caf: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254)
    digest_until: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)  # transmissions up to here are sent


class ConsoleSession(ServerModel, table=True):
    """A signed-in Caf agent in the web console (/caf/): the cookie is the opaque API token it was given."""

    __tablename__ = "console_session"
    token_hash: str = Field(primary_key=True, max_length=64)  # the api_token row it rides on
    account_id: int = Field(foreign_key="account.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    last_seen_at: dt.datetime = Field(sa_type=UtcDateTime)


class FundedActions(ServerModel, table=True):
    """Le nombre d'actions financées that a Caf enters once per campaign (the collection rate's denominator)."""

    __tablename__ = "funded_actions"
    caf: str = Field(primary_key=True, max_length=64)
    form_id: str = Field(primary_key=True, max_length=64)
    count: int
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class StructureValidation(ServerModel, table=True):
    """« Valider la fiche Structure » (seed 001 §2.1): organisation X's fiche Structure for campaign F,
    validated once by a Caf agent; its answers are then locked in every questionnaire of X for F."""

    __tablename__ = "structure_validation"
    organisation_id: int = Field(primary_key=True, foreign_key="account.id")
    form_id: str = Field(primary_key=True, max_length=64)
    validated_by: int = Field(foreign_key="account.id")
    validated_at: dt.datetime = Field(sa_type=UtcDateTime)
    questionnaire_id: uuid.UUID  # the questionnaire it was validated from
    answers_json: str = Field(sa_type=Text)  # the fiche Structure answers validated (new actions start from them)
