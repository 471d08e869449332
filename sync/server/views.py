"""Database rows to wire models (sync.protocol), in one place for routes, feed and CLI."""

from __future__ import annotations

import json

from forms.lifecycle import NoticeState
from sync import protocol as p
from sync.server.models import Account, AuditEntry, Notice, Questionnaire, Version


def attachments_of(version: Version) -> list[p.AttachmentRef]:
    return [p.AttachmentRef.model_validate(a) for a in json.loads(version.attachments_json)]


def notice_view(notice: Notice) -> p.NoticeView:
    return p.NoticeView(
        notice_id=notice.id,
        questionnaire_id=notice.questionnaire_id,
        version_id=notice.version_id,
        question_id=notice.question_id,
        message=notice.message,
        status=NoticeState(notice.status),
        created_at=notice.created_at,
        resolved_by_version_id=notice.resolved_by_version_id,
    )


def questionnaire_view(q: Questionnaire, current: Version, open_notices: list[Notice]) -> p.QuestionnaireView:
    return p.QuestionnaireView(
        questionnaire_id=q.id,
        form_id=q.form_id,
        form_version=q.form_version,
        state=q.state,  # type: ignore[arg-type]
        current_version_id=q.current_version_id,
        server_rev=q.server_rev,
        author_role="caf" if current.author_role == "caf" else "partner",
        answers=json.loads(current.answers_json),
        attachments=attachments_of(current),
        payload_sha256=current.payload_sha256,
        updated_at=q.updated_at,
        notices=[notice_view(n) for n in open_notices],
    )


def review_summary(q: Questionnaire, organisation: Account, open_notices: int) -> p.ReviewSummary:
    return p.ReviewSummary(
        questionnaire_id=q.id,
        organisation=organisation.name,
        organisation_email=organisation.email,
        caf=q.caf,
        form_id=q.form_id,
        form_version=q.form_version,
        state=q.state,  # type: ignore[arg-type]
        current_version_id=q.current_version_id,
        server_rev=q.server_rev,
        open_notices=open_notices,
        updated_at=q.updated_at,
    )


def version_view(version: Version, author: Account) -> p.VersionView:
    return p.VersionView(
        version_id=version.id,
        base_version_id=version.base_version_id,
        server_rev=version.server_rev,
        author_role="caf" if version.author_role == "caf" else "partner",
        author=author.email,
        form_id=version.form_id,
        form_version=version.form_version,
        answers=json.loads(version.answers_json),
        attachments=attachments_of(version),
        payload_sha256=version.payload_sha256,
        created_at=version.created_at,
    )


def audit_view(entry: AuditEntry) -> p.AuditEntry:
    return p.AuditEntry(at=entry.at, actor=entry.actor_email, action=entry.action, detail=json.loads(entry.detail_json))
