"""Freezing a version: its answers, its transmission body and hash, and its outbox row, in the caller's transaction."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any

from sqlalchemy import Connection

from forms.definition import FormDefinition
from forms.lifecycle import OutboxState
from forms.payload import canonical_json
from forms.store.schema import Outbox, Version
from forms.transmission import AttachmentRef, VersionBody

_V = Version.__table__  # type: ignore[attr-defined]
_O = Outbox.__table__  # type: ignore[attr-defined]


def freeze_version(
    connection: Connection,
    *,
    definition: FormDefinition,
    questionnaire_uuid: str,
    answers: dict[str, Any],
    base_version_id: str | None,
    now: str,
) -> str:
    """Insert a partner version and its pending outbox row; return the version id (the Idempotency-Key).

    `answers` must already be the transmitted answers (visible, answered, normalised). The body is
    the exact bytes sent on every attempt: it never changes after this.
    """
    attachments = [
        AttachmentRef.model_validate(answers[q.id])
        for q in definition.questions()
        if q.type == "file" and q.id in answers
    ]
    frozen = VersionBody.build(
        base_version_id=uuidlib.UUID(base_version_id) if base_version_id else None,
        form_id=definition.id,
        form_version=definition.version,
        answers=answers,
        attachments=attachments,
    )  # the same model the server parses it with, and builds its own (Caf) versions from
    digest = frozen.payload_sha256
    version_id = str(uuidlib.uuid4())
    body = canonical_json(frozen.model_dump(mode="json"))
    connection.execute(
        _V.insert().values(
            version_id=version_id,
            questionnaire_uuid=questionnaire_uuid,
            base_version_id=base_version_id,
            author="partner",
            form_id=definition.id,
            form_version=definition.version,
            answers=canonical_json(answers),
            payload_sha256=digest,
            created_at=now,
        )
    )
    connection.execute(
        _O.insert().values(
            op_id=version_id,
            questionnaire_uuid=questionnaire_uuid,
            version_id=version_id,
            state=OutboxState.PENDING,
            body=body,
            attempts=0,
            created_at=now,
            updated_at=now,
        )
    )
    return version_id
