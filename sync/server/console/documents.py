"""The PDF bilan and the transmission receipt of a server questionnaire, by the app's renderer (forms/pdf),
and the Caf's exports: CSV (UTF-8 with BOM, « ; »), XLSX, and a ZIP of every PDF bilan."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from forms.definition import FormDefinition, Question
from forms.display import answer_text
from forms.lifecycle import Status
from forms.pdf.bilan import render_bilan
from forms.pdf.data import BilanData
from forms.pdf.receipt import render_receipt
from forms.store import NoticeInfo, QuestionnaireInfo, VersionInfo
from sync import protocol as p
from sync.server import review
from sync.server.accounts import PARTNER
from sync.server.checks import definition_for
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.models import Account, Questionnaire, Version

from .views import title_of

_Q, _A, _V = table(Questionnaire), table(Account), table(Version)


def bilan_data(ctx: ServerContext, detail: p.ReviewDetail) -> BilanData:
    summary = detail.summary
    definition = definition_for(ctx, summary.form_id, summary.form_version)
    current = next(v for v in detail.versions if v.version_id == summary.current_version_id)
    answers = dict(current.answers)
    first = detail.versions[0].created_at
    info = QuestionnaireInfo(
        uuid=str(summary.questionnaire_id),
        form_id=summary.form_id,
        form_version=summary.form_version,
        title=title_of(definition, answers, summary.organisation),
        status=Status(summary.state),
        status_changed_at=summary.updated_at,
        current_page=None,
        base_version_id=str(current.version_id),
        created_at=first,
        updated_at=summary.updated_at,
    )
    return BilanData(
        definition=definition,
        info=info,
        answers=answers,
        notices=tuple(
            NoticeInfo(str(n.notice_id), n.question_id, n.message, n.status.value, n.created_at) for n in detail.notices
        ),
        versions=tuple(
            VersionInfo(
                version_id=str(v.version_id),
                base_version_id=str(v.base_version_id) if v.base_version_id else None,
                author="caf" if v.author_role == "caf" else "partner",
                answers=dict(v.answers),
                payload_sha256=v.payload_sha256,
                server_rev=v.server_rev,
                created_at=v.created_at,
            )
            for v in detail.versions
        ),
    )


def bilan_pdf(ctx: ServerContext, detail: p.ReviewDetail) -> bytes:
    out = io.BytesIO()
    render_bilan(out, bilan_data(ctx, detail), generated_at=ctx.now())
    return out.getvalue()


def receipt_pdf(ctx: ServerContext, detail: p.ReviewDetail) -> bytes:
    out = io.BytesIO()
    render_receipt(out, bilan_data(ctx, detail), generated_at=ctx.now())
    return out.getvalue()


def file_stem(text: str) -> str:
    cleaned = re.sub(r"[^\w\-]+", "-", text, flags=re.UNICODE).strip("-")
    return cleaned[:60] or "questionnaire"


# --- exports -----------------------------------------------------------------------------------

_FIXED = [
    "questionnaire_id",
    "organisation",
    "email_organisation",
    "etat",
    "version",
    "premiere_transmission",
    "derniere_modification",
]


def columns(definition: FormDefinition) -> list[tuple[str, Question, str | None]]:
    """(column name, question, matrix row id) in the definition's order; matrix rows flattened `question.row`."""
    found: list[tuple[str, Question, str | None]] = []
    for q in definition.questions():
        if q.local:
            continue
        if q.type == "matrix":
            found += [(f"{q.id}.{r.id}", q, r.id) for r in q.rows]
        else:
            found.append((q.id, q, None))
    return found


def _cell(question: Question, row: str | None, value: Any, *, for_xlsx: bool) -> Any:
    if row is not None:
        value = value.get(row) if isinstance(value, dict) else None
        return question.choice_label(value) if value is not None else ""
    if value is None:
        return ""
    if question.type in ("integer", "decimal") and isinstance(value, int | float) and not isinstance(value, bool):
        if for_xlsx:
            return value
        return str(value).replace(".", ",")  # a French spreadsheet reads a decimal comma
    if question.type == "file" and isinstance(value, dict):
        return str(value.get("name", ""))
    return answer_text(question, value)


def export_rows(ctx: ServerContext, caf: str, definition: FormDefinition, *, for_xlsx: bool) -> Iterator[list[Any]]:
    """Header then one row per questionnaire of the Caf in the campaign (current version's answers)."""
    cols = columns(definition)
    yield [*_FIXED, *(name for name, _q, _r in cols)]
    with ctx.db.read() as session:
        connection = session.connection()
        found = connection.execute(
            select(_Q.c.id, _Q.c.state, _Q.c.server_rev, _Q.c.updated_at, _A.c.name, _A.c.email, _V.c.answers_json)
            .join(_A, _A.c.id == _Q.c.organisation_id)
            .join(_V, _V.c.id == _Q.c.current_version_id)
            .where(_Q.c.caf == caf, _Q.c.form_id == definition.id)
            .order_by(_A.c.name, _Q.c.id)
        ).all()
        firsts = dict(
            connection.execute(
                select(_V.c.questionnaire_id, _V.c.created_at)
                .join(_Q, _Q.c.id == _V.c.questionnaire_id)
                .where(_Q.c.caf == caf, _Q.c.form_id == definition.id, _V.c.author_role == PARTNER)
                .order_by(_V.c.server_rev.desc())
            ).all()
        )  # desc + dict: the earliest wins
    for r in found:
        answers = json.loads(r.answers_json)
        first = firsts.get(r.id)
        yield [
            str(r.id),
            r.name,
            r.email,
            Status(r.state).label,
            r.server_rev,
            _iso(first),
            _iso(r.updated_at),
            *(_cell(q, row, answers.get(q.id), for_xlsx=for_xlsx) for _name, q, row in cols),
        ]


def _iso(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


def csv_bytes(ctx: ServerContext, caf: str, definition: FormDefinition) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(export_rows(ctx, caf, definition, for_xlsx=False))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(ctx: ServerContext, caf: str, definition: FormDefinition) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=definition.campaign.school_year)
    for row in export_rows(ctx, caf, definition, for_xlsx=True):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_of_pdfs(ctx: ServerContext, caf: str, definition: FormDefinition) -> bytes:
    with ctx.db.read() as session:
        ids = [
            qid
            for (qid,) in session.connection().execute(
                select(_Q.c.id).where(_Q.c.caf == caf, _Q.c.form_id == definition.id).order_by(_Q.c.id)
            )
        ]
    out = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for qid in ids:
            detail = review.detail(ctx, caf, uuid.UUID(str(qid)))
            data = bilan_data(ctx, detail)
            name = f"{file_stem(data.organisation)}_{file_stem(data.info.title)}"
            if name in used:
                name = f"{name}_{str(qid)[:8]}"
            used.add(name)
            pdf = io.BytesIO()
            render_bilan(pdf, data, generated_at=ctx.now())
            archive.writestr(f"{name}.pdf", pdf.getvalue())
    return out.getvalue()
