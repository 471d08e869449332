"""The sync protocol v1: wire models shared by the desktop client and the reference server (DESIGN §6).

Every model forbids unknown fields and bounds its strings and lists, because the client parses
server replies with them and a reply is untrusted input (research anchors-sync-reliability §3.6).
Parse a reply with `Model.model_validate_json(response.content)`; a 2xx that does not parse is an
unknown outcome, to be retried with the same key and body, never a success.

Paths are under API_PREFIX. Errors are RFC 9457 problem documents (`Problem`) with a stable
`code` (the constants below) and a French `title`.

Order of operations for a transmission: upload every attachment first
(`PUT /questionnaires/{qid}/attachments/{sha256}`, raw bytes, idempotent), then
`PUT /questionnaires/{qid}/versions/{vid}` with a body frozen before the first attempt
(`VersionBody.build`). A version that names an attachment not yet uploaded gets 422
`attachment_missing`.

Other rules a client relies on:
- `Authorization: Bearer <access_token>` on everything but /meta, /forms and /auth/token; 401 means
  log in again (the token is opaque, valid `expires_in` seconds, 30 days by default).
- JSON bodies with `Content-Type: application/json`; bodies over `Meta.max_body_bytes` (attachments:
  `Meta.max_attachment_bytes`) get 413 before they are read.
- A version PUT answers 201 the first time and 200 with `Idempotent-Replayed: true` and the same body
  on any identical repeat, forever; 409/422 are final for that body; 429 comes with Retry-After.
- `GET /changes?since=&limit=` (limit 1..500, default 100): changes of the caller's organisation
  in commit order, seq strictly increasing by 1 with no gap; applying a change twice must be
  harmless. A cursor belongs to one organisation and one server database.
- Reviewer endpoints answer 404, never 403, for anything outside the reviewer's Caf.

Replies to notices (added to v1 compatibly, 2026-12-02): the partner answers a Caf notice with
`POST /questionnaires/{qid}/notices/{notice_id}/replies/{reply_id}` and a `ReplyCreate` body. The
`reply_id` is a UUID made by the client before the first attempt; it is the idempotency key, with
the same rules as a version PUT: 201 and a `ReplyView` the first time, 200 with
`Idempotent-Replayed: true` and the same body for any identical repeat, 422 `idempotency_mismatch`
when the id was used for another message or notice, 409 `not_editable` when the questionnaire's
state allows no reply (Validé), 404 for a notice that is not the caller's. The feed then carries a
`notice.reply` change (a `ReplyView`), but only to a client that asks for it with
`GET /changes?accept=notice.reply`: an older client, whose strict models do not know that kind,
never receives it (its seqs then skip those changes; seqs stay increasing).

Structure validation (added to v1 compatibly, 2026-12-02): when the Caf validates an organisation's fiche
Structure for a campaign (`POST /review/questionnaires/{qid}/validate-structure`), the organisation's feed
carries one `structure.locked` change (a `StructureLockedData`: the campaign's form id, when, the locked
question ids taken from the definition, and the answers validated), under the questionnaire it was
validated from. The lock is per organisation and campaign: it holds for every questionnaire of that form
id, including those created later. Opt-in like `notice.reply` (`GET /changes?accept=structure.locked`).
A version that changes a locked answer gets 409 `structure_locked` whether the client asked for it or not.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from forms.lifecycle import NoticeState
from forms.transmission import (
    _NO_CONTROL,
    _NO_NUL,
    Answers,
    AttachmentRef,
    Identifier,
    Sha256,
    VersionBody,
    WireModel,
    content_sha256,
)

__all__ = ["AttachmentRef", "VersionBody", "WireModel", "content_sha256"]  # re-exported: the protocol's too

# 2026-11-22: v1, first published version of the protocol. Bump on any incompatible change;
# the server then keeps serving the previous prefix until MIN_CLIENT_VERSION moves past it.
API_VERSION = 1
API_PREFIX = "/api/v1"
# The oldest desktop release that speaks this protocol (GET /meta tells clients to update below it).
MIN_CLIENT_VERSION = "0.1.0"

PROBLEM_MEDIA_TYPE = "application/problem+json"
IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"  # optional on version PUTs; when sent it must equal the version id
REPLAYED_HEADER = "Idempotent-Replayed"  # "true" on a 200 that replays an earlier identical delivery
RETRY_AFTER_HEADER = "Retry-After"  # seconds, with 429 rate_limited

MAX_PUSH_ITEMS = 50
DEFAULT_CHANGES_LIMIT = 100
MAX_CHANGES_LIMIT = 500
MAX_NOTICE_CHARS = 2000
# Content-Type values accepted for attachments (pdf, doc, docx, odt, jpeg, png).
ALLOWED_MEDIA_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "image/jpeg",
        "image/png",
    }
)

# --- stable problem codes ------------------------------------------------------------------

VALIDATION = "validation"
IDEMPOTENCY_MISMATCH = "idempotency_mismatch"
STALE_BASE = "stale_base"
NOT_EDITABLE = "not_editable"
CAMPAIGN_CLOSED = "campaign_closed"
UNKNOWN_FORM = "unknown_form"
ATTACHMENT_MISSING = "attachment_missing"
ATTACHMENT_TOO_LARGE = "attachment_too_large"
UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
PAYLOAD_HASH_MISMATCH = "payload_hash_mismatch"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
CURSOR_INVALID = "cursor_invalid"
PAYLOAD_TOO_LARGE = "payload_too_large"
METHOD_NOT_ALLOWED = "method_not_allowed"
INTERNAL_ERROR = "internal_error"
ID_TAKEN = "id_taken"  # a questionnaire id another organisation already wrote under: re-key and send again
QUOTA_EXCEEDED = "quota_exceeded"
STRUCTURE_LOCKED = "structure_locked"  # the Caf validated the organisation's fiche Structure: keep its answers

PROBLEM_CODES = frozenset(
    {
        VALIDATION,
        IDEMPOTENCY_MISMATCH,
        STALE_BASE,
        NOT_EDITABLE,
        CAMPAIGN_CLOSED,
        UNKNOWN_FORM,
        ATTACHMENT_MISSING,
        ATTACHMENT_TOO_LARGE,
        UNSUPPORTED_MEDIA_TYPE,
        PAYLOAD_HASH_MISMATCH,
        UNAUTHORIZED,
        FORBIDDEN,
        NOT_FOUND,
        RATE_LIMITED,
        CURSOR_INVALID,
        PAYLOAD_TOO_LARGE,
        METHOD_NOT_ALLOWED,
        INTERNAL_ERROR,
        ID_TAKEN,
        QUOTA_EXCEEDED,
        STRUCTURE_LOCKED,
    }
)


# --- bounded scalar types --------------------------------------------------------------------

# No NUL anywhere (PostgreSQL text cannot hold it), no control character in identifiers and e-mails.
ShortText = Annotated[str, StringConstraints(max_length=500, pattern=_NO_NUL)]
LongText = Annotated[str, StringConstraints(max_length=4000, pattern=_NO_NUL)]
Email = Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=_NO_CONTROL)]
NoticeText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NOTICE_CHARS, pattern=_NO_NUL)]
ServerState = Literal["transmis", "a_corriger", "valide"]
Role = Literal["partner", "reviewer"]
AuthorRole = Literal["partner", "caf"]
ChangeType = Literal[
    "questionnaire.version",
    "questionnaire.state",
    "notice.created",
    "notice.resolved",
    "notice.reply",
    "structure.locked",
]
# Change kinds a client receives only when it lists them in `GET /changes?accept=` (added after v1 shipped).
NOTICE_REPLY = "notice.reply"
STRUCTURE_LOCKED_CHANGE = "structure.locked"
OPT_IN_CHANGE_TYPES = frozenset({NOTICE_REPLY, STRUCTURE_LOCKED_CHANGE})

# Server states are the lifecycle's (forms/lifecycle.py, DESIGN §5).


# --- meta, forms, auth -------------------------------------------------------------------------


class FormRef(WireModel):
    form_id: Identifier
    form_version: int = Field(ge=1)
    title: ShortText = ""
    school_year: Annotated[str, StringConstraints(max_length=9)] = ""
    opens: dt.date | None = None  # campaign window in force, after any extension by the Caf
    closes: dt.date | None = None


class Meta(WireModel):
    server_time: dt.datetime
    api_version: int
    min_client_version: Annotated[str, StringConstraints(max_length=32)]
    max_body_bytes: int
    max_attachment_bytes: int
    max_push_items: int = MAX_PUSH_ITEMS
    forms: Annotated[list[FormRef], Field(max_length=200)]
    # The server's stable identity (kept in its database): a client ties its remote state to it.
    server_id: uuid.UUID | None = None


class FormList(WireModel):
    forms: Annotated[list[FormRef], Field(max_length=200)]


class TokenRequest(WireModel):
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024, pattern=_NO_NUL)]


class TokenResponse(WireModel):
    access_token: Annotated[str, StringConstraints(min_length=20, max_length=200)]
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(ge=0)  # seconds
    role: Role
    organisation: ShortText  # the partner's name, or "Caf <code>" for a reviewer
    caf: Identifier


# --- transmissions -----------------------------------------------------------------------------


class VersionAccepted(WireModel):
    """201 on first delivery; the same body with 200 and `Idempotent-Replayed: true` on a replay."""

    questionnaire_id: uuid.UUID
    version_id: uuid.UUID
    server_rev: int = Field(ge=1)
    state: ServerState
    seq: int = Field(ge=1)  # feed position of the version change, for diagnostics


class AttachmentStored(WireModel):
    questionnaire_id: uuid.UUID
    sha256: Sha256
    size: int = Field(ge=0)
    media_type: Annotated[str, StringConstraints(max_length=127, pattern=_NO_CONTROL)]


# --- problems ------------------------------------------------------------------------------------


class FieldError(WireModel):
    field_path: Annotated[str, StringConstraints(max_length=200)]  # a question id, or a body field
    code: Identifier
    message: LongText


class Problem(WireModel):
    """RFC 9457 problem details; `type` is `urn:bilan-clas:problem:<code>`."""

    type: ShortText
    title: ShortText  # French, for the user
    status: int = Field(ge=400, le=599)
    code: Identifier
    detail: LongText | None = None
    errors: Annotated[list[FieldError], Field(max_length=1000)] | None = None
    # stale_base: where the server is now, for the client's 3-way merge
    current_version_id: uuid.UUID | None = None
    current_server_rev: int | None = None
    current_answers: Answers | None = None
    # not_editable: the state that forbids the edit
    state: ServerState | None = None
    # campaign_closed: the window in force
    opens: dt.date | None = None
    closes: dt.date | None = None
    # rate_limited: also sent as the Retry-After header
    retry_after: int | None = None


def problem_type(code: str) -> str:
    return f"urn:bilan-clas:problem:{code}"


# --- batch push ----------------------------------------------------------------------------------


class PushItem(WireModel):
    questionnaire_id: uuid.UUID
    version_id: uuid.UUID
    body: VersionBody


class PushBatch(WireModel):
    items: Annotated[list[PushItem], Field(min_length=1, max_length=MAX_PUSH_ITEMS)]


class PushItemResult(WireModel):
    """What the single PUT would have answered: its status, body, and whether it was a replay."""

    questionnaire_id: uuid.UUID
    version_id: uuid.UUID
    status: int = Field(ge=200, le=599)
    replayed: bool = False
    body: VersionAccepted | Problem


class PushResult(WireModel):
    results: Annotated[list[PushItemResult], Field(max_length=MAX_PUSH_ITEMS)]


# --- notices, questionnaires, feed -----------------------------------------------------------------


class NoticeView(WireModel):
    notice_id: uuid.UUID
    questionnaire_id: uuid.UUID
    version_id: uuid.UUID  # the version the Caf was reading
    question_id: Identifier | None  # None: a general remark; else check it against the definition before use
    message: NoticeText  # plain text: never render as rich text
    status: NoticeState
    created_at: dt.datetime
    resolved_by_version_id: uuid.UUID | None = None


class QuestionnaireView(WireModel):
    """GET /questionnaires/{id}: the partner's own questionnaire as the server holds it."""

    questionnaire_id: uuid.UUID
    form_id: Identifier
    form_version: int
    state: ServerState
    current_version_id: uuid.UUID
    server_rev: int
    author_role: AuthorRole  # who wrote the current version
    answers: Answers
    attachments: Annotated[list[AttachmentRef], Field(max_length=50)]
    payload_sha256: Sha256
    updated_at: dt.datetime
    notices: Annotated[list[NoticeView], Field(max_length=1000)]  # open ones


class VersionChangeData(WireModel):
    version_id: uuid.UUID
    base_version_id: uuid.UUID | None
    server_rev: int
    author_role: AuthorRole
    form_id: Identifier
    form_version: int
    answers: Answers
    attachments: Annotated[list[AttachmentRef], Field(max_length=50)] = []
    payload_sha256: Sha256
    created_at: dt.datetime


class StateChangeData(WireModel):
    state: ServerState
    version_id: uuid.UUID
    at: dt.datetime


class NoticeResolvedData(WireModel):
    notice_id: uuid.UUID
    resolved_by_version_id: uuid.UUID


class ReplyCreate(WireModel):
    """The body of a reply POST; the reply id is in the path (the idempotency key)."""

    message: NoticeText  # plain text: never render as rich text


class ReplyView(WireModel):
    """A partner's reply to a Caf notice, as stored by the server (201/200 body and feed data)."""

    reply_id: uuid.UUID
    notice_id: uuid.UUID
    questionnaire_id: uuid.UUID
    message: NoticeText
    author: Email
    created_at: dt.datetime


class StructureLockedData(WireModel):
    """The Caf validated the organisation's fiche Structure for campaign `form_id`: these answers are locked
    in every questionnaire of that campaign (those created later start from `answers`)."""

    form_id: Identifier
    validated_at: dt.datetime
    question_ids: Annotated[list[Identifier], Field(max_length=1000)]
    answers: Answers  # the fiche Structure answers as validated


ChangeData = VersionChangeData | StateChangeData | NoticeView | NoticeResolvedData | ReplyView | StructureLockedData
_DATA_MODELS: dict[str, type[WireModel]] = {
    "questionnaire.version": VersionChangeData,
    "questionnaire.state": StateChangeData,
    "notice.created": NoticeView,
    "notice.resolved": NoticeResolvedData,
    NOTICE_REPLY: ReplyView,
    STRUCTURE_LOCKED_CHANGE: StructureLockedData,
}


def change_type(data: ChangeData) -> ChangeType:
    """The feed type of a change's data model: the server writes models, never hand-made dicts."""
    return next(kind for kind, model in _DATA_MODELS.items() if type(data) is model)  # type: ignore[return-value,misc]


class Change(WireModel):
    seq: int = Field(ge=1)
    type: ChangeType
    questionnaire_id: uuid.UUID
    data: dict[str, Any]

    def parsed(self) -> ChangeData:
        """The data in its typed, strict model (raises pydantic.ValidationError if malformed)."""
        return _DATA_MODELS[self.type].model_validate(self.data)  # type: ignore[return-value]


class ChangesPage(WireModel):
    """A page of the feed. Store `next_cursor` with the applied changes, in one local transaction.

    `next_cursor` is opaque; it is always present (equal to `since` when nothing is new). Ask
    again while `has_more`. A cursor the server does not know gets 400 `cursor_invalid`: start
    over without `since` (every change is idempotent to apply).
    """

    changes: Annotated[list[Change], Field(max_length=MAX_CHANGES_LIMIT)]
    next_cursor: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    has_more: bool


# --- reviewer side -------------------------------------------------------------------------------


class NoticeCreate(WireModel):
    """A Caf notice; send a `notice_id` of your own to make retries idempotent (201 then 200)."""

    notice_id: uuid.UUID | None = None
    question_id: Identifier | None = None
    message: NoticeText


class ReviewSummary(WireModel):
    questionnaire_id: uuid.UUID
    organisation: ShortText
    organisation_email: Email
    caf: Identifier
    form_id: Identifier
    form_version: int
    state: ServerState
    current_version_id: uuid.UUID
    server_rev: int
    open_notices: int
    updated_at: dt.datetime


class ReviewList(WireModel):
    questionnaires: list[ReviewSummary]


class VersionView(WireModel):
    version_id: uuid.UUID
    base_version_id: uuid.UUID | None
    server_rev: int
    author_role: AuthorRole
    author: Email
    form_id: Identifier
    form_version: int
    answers: Answers
    attachments: list[AttachmentRef]
    payload_sha256: Sha256
    created_at: dt.datetime


class AuditEntry(WireModel):
    at: dt.datetime
    actor: Email
    action: Identifier
    detail: dict[str, Any]


class ReviewDetail(WireModel):
    summary: ReviewSummary
    versions: list[VersionView]  # oldest first
    notices: list[NoticeView]  # every notice, open or resolved
    audit: list[AuditEntry]
    replies: list[ReplyView] = []  # the partner's replies to those notices, oldest first
