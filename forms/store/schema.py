"""The local tables, as SQLModel classes (the latest schema; migrations.py builds and upgrades it).

Times are ISO 8601 strings in UTC; answers and frozen payloads are canonical JSON text.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Profile(SQLModel, table=True):
    """The organisation's identity: answers to the fiche Structure, prefilled into each new questionnaire."""

    id: int = Field(default=1, primary_key=True)
    answers: str
    updated_at: str


class Questionnaire(SQLModel, table=True):
    uuid: str = Field(primary_key=True)
    form_id: str
    form_version: int
    title: str
    status: str
    status_changed_at: str
    current_page: str | None = None
    base_version_id: str | None = None  # the last server version seen: the base of the next transmission
    created_at: str
    updated_at: str


class Answer(SQLModel, table=True):
    """One answer of a draft; one row per question so that each edit is one small write."""

    questionnaire_uuid: str = Field(primary_key=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    question_id: str = Field(primary_key=True)
    value: str
    updated_at: str


class Version(SQLModel, table=True):
    """An immutable transmitted (or Caf-authored) version of a questionnaire."""

    version_id: str = Field(primary_key=True)
    questionnaire_uuid: str = Field(index=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    base_version_id: str | None = None
    author: str  # "partner" or "caf"
    form_id: str
    form_version: int
    answers: str
    payload_sha256: str
    server_rev: int | None = None
    created_at: str


class Outbox(SQLModel, table=True):
    """A transmission waiting to be sent; its body is frozen before the first attempt."""

    op_id: str = Field(primary_key=True)  # = version_id, also the Idempotency-Key
    questionnaire_uuid: str = Field(index=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    version_id: str = Field(foreign_key="version.version_id")
    state: str  # pending | done | failed
    body: str
    attempts: int = 0
    next_attempt_at: str | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
    created_at: str
    updated_at: str


class Notice(SQLModel, table=True):
    """A Caf notice about a questionnaire, optionally anchored to a question."""

    notice_id: str = Field(primary_key=True)
    questionnaire_uuid: str = Field(index=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    version_id: str | None = None
    question_id: str | None = None
    message: str
    status: str  # open | resolved
    created_at: str
    resolved_at: str | None = None


class Attachment(SQLModel, table=True):
    """A file copied into the data folder, addressed by its SHA-256."""

    sha256: str = Field(primary_key=True)
    name: str
    size: int
    media_type: str
    stored_at: str


class Conflict(SQLModel, table=True):
    """A field the Caf and the partner both changed: both values kept until the partner chooses."""

    questionnaire_uuid: str = Field(primary_key=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    question_id: str = Field(primary_key=True)
    caf_value: str | None = None  # JSON; None when the Caf cleared the answer
    my_value: str | None = None
    caf_version_id: str
    created_at: str


class SyncState(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class CarriedPage(SQLModel, table=True):
    """A page prefilled from an earlier bilan (forms/carry.py), « à vérifier » until the user has looked at it."""

    __tablename__ = "carried_page"
    questionnaire_uuid: str = Field(primary_key=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    page_id: str = Field(primary_key=True)
    source_uuid: str | None = None  # the questionnaire it was started from
    created_at: str


class ArchivedAnswer(SQLModel, table=True):
    """An answer whose question a newer version of the definition no longer has (forms/upgrade.py): kept."""

    __tablename__ = "archived_answer"
    questionnaire_uuid: str = Field(primary_key=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    question_id: str = Field(primary_key=True)
    form_version: int = Field(primary_key=True)  # the version of the definition that had the question
    value: str  # JSON, as it was stored
    archived_at: str


class NoticeReply(SQLModel, table=True):
    """The partner's reply to a Caf notice: written here first, then sent by the sync (reply_id = idempotency key)."""

    __tablename__ = "notice_reply"
    reply_id: str = Field(primary_key=True)
    notice_id: str
    questionnaire_uuid: str = Field(index=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    message: str
    state: str  # pending | sent | failed (forms.lifecycle.ReplyState)
    attempts: int = 0
    next_attempt_at: str | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
    created_at: str
    updated_at: str


class QuestionnaireSummary(SQLModel, table=True):
    """What the list shows of a questionnaire, computed from its answers; dropped by triggers (see
    migrations.py) whenever what it summarises changes, rebuilt by the store on the next list."""

    __tablename__ = "questionnaire_summary"
    questionnaire_uuid: str = Field(primary_key=True, foreign_key="questionnaire.uuid", ondelete="CASCADE")
    pages_complete: int
    pages_total: int
    points: int  # the « points à voir » still blocking the transmission
    campaign: str
    campaign_opens: str  # ISO date: the list shows the newest campaign first
    deletable: int  # 0 or 1
    outbox_states: str  # JSON list of the outbox items' states (« Échec d'envoi »)
    computed_at: str


class StructureLock(SQLModel, table=True):
    """« Fiche Structure validée par la Caf » for a campaign (forms/store/locks.py): its questions read-only."""

    __tablename__ = "structure_lock"
    form_id: str = Field(primary_key=True)  # the campaign: every questionnaire of this form id
    validated_at: str
    question_ids: str  # JSON list, from the server (the definition's fiche Structure there)
    answers: str  # JSON object: the answers validated, for a questionnaire created after the lock
    questionnaire_uuid: str | None = None  # the questionnaire the Caf validated it from
    received_at: str
