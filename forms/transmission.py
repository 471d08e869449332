"""The body of a transmission, as a wire model that both senders build: the partner's app when it freezes a
version (forms/store/freezing.py), the server when the Caf edits one, and the server reads it back.

It lives in forms/ because the local store freezes the body before any network code runs; sync.protocol
re-exports it with the rest of the protocol (DESIGN §6).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from forms.payload import payload_sha256

# No NUL anywhere (PostgreSQL text cannot hold it), no control character in identifiers and e-mails.
_NO_NUL = r"^[^\x00]*$"
_NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Identifier = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=_NO_CONTROL)]
Answers = Annotated[dict[Identifier, Any], Field(max_length=1000)]


class WireModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AttachmentRef(WireModel):
    name: Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=_NO_NUL)]
    sha256: Sha256
    size: int = Field(ge=0)
    media_type: Annotated[str, StringConstraints(max_length=127, pattern=_NO_CONTROL)]


class VersionBody(WireModel):
    """One transmission, frozen before its first attempt; the version id is its idempotency key.

    `answers` are the transmitted answers (forms.evaluation.transmitted_answers): visible, answered
    questions only, in canonical form; anything else is refused with 422 `validation`.
    """

    base_version_id: uuid.UUID | None
    form_id: Identifier
    form_version: int = Field(ge=1)
    answers: Answers
    attachments: Annotated[list[AttachmentRef], Field(max_length=50)] = []
    payload_sha256: Sha256

    def expected_sha256(self) -> str:
        return content_sha256(
            base_version_id=self.base_version_id,
            form_id=self.form_id,
            form_version=self.form_version,
            answers=self.answers,
            attachments=self.attachments,
        )

    @classmethod
    def build(
        cls,
        *,
        base_version_id: uuid.UUID | None,
        form_id: str,
        form_version: int,
        answers: dict[str, Any],
        attachments: list[AttachmentRef] | None = None,
    ) -> VersionBody:
        """A body with its payload_sha256 computed the way the server checks it."""
        refs = list(attachments or [])
        digest = content_sha256(
            base_version_id=base_version_id,
            form_id=form_id,
            form_version=form_version,
            answers=answers,
            attachments=refs,
        )
        return cls(
            base_version_id=base_version_id,
            form_id=form_id,
            form_version=form_version,
            answers=answers,
            attachments=refs,
            payload_sha256=digest,
        )


def content_sha256(
    *,
    base_version_id: uuid.UUID | None,
    form_id: str,
    form_version: int,
    answers: dict[str, Any],
    attachments: list[AttachmentRef],
) -> str:
    """forms.payload.payload_sha256 over the body, with the UUID in its canonical lower-case text."""
    return payload_sha256(
        base_version_id=str(base_version_id) if base_version_id is not None else None,
        form_id=form_id,
        form_version=form_version,
        answers=answers,
        attachments=[a.model_dump(mode="json") for a in attachments],
    )
