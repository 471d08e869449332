"""Helpers of the PDF tests: text read back from PDFs, and what the sync client will write to the store."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import uuid as uuidlib
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from sqlalchemy import update

from forms.lifecycle import SERVER_STATES, Status
from forms.pdf.styles import MARGIN_BOTTOM, MARGIN_TOP, PAGE_HEIGHT
from forms.store import Store
from forms.store.schema import Notice, Outbox, Questionnaire, Version

GENERATED_AT = dt.datetime(2025, 10, 3, 14, 5, tzinfo=dt.UTC)
_SPACES = re.compile(r"\s+")


def flat(text: str) -> str:
    """NFC text with every run of white space (incl. U+202F, U+00A0) as one plain space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def pdf_text(source: Path | bytes) -> str:
    """The text of every page, as extracted by pypdf, flattened."""
    return flat("\n".join(page.extract_text() for page in _reader(source).pages))


def body_text(source: Path | bytes) -> str:
    """The text inside the content frame of every page: no running header, footer or watermark."""
    kept: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: Any, _size: Any) -> None:
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if text.strip() != "BROUILLON" and MARGIN_BOTTOM - 2 <= y <= PAGE_HEIGHT - MARGIN_TOP + 2:
            kept.append(text)

    for page in _reader(source).pages:
        page.extract_text(visitor_text=visit)
        kept.append("\n")
    return flat("".join(kept))


def _reader(source: Path | bytes) -> PdfReader:
    if isinstance(source, bytes):
        return PdfReader(io.BytesIO(source))
    return PdfReader(source)


def page_count(source: Path | bytes) -> int:
    return len(_reader(source).pages)


def set_status(store: Store, questionnaire_uuid: str, status: Status) -> None:
    """What the sync client will do when the server answers; written straight to the tables here.

    A status the server gives means the server accepted the latest version: it gets its revision
    and its outbox item is done, as Outbox.mark_sent does.
    """
    table = Questionnaire.__table__  # type: ignore[attr-defined]
    moment = dt.datetime(2025, 10, 2, 9, 30, tzinfo=dt.UTC).isoformat()
    versions = store.versions(questionnaire_uuid)
    with store.engine.begin() as c:
        if status in SERVER_STATES and versions:
            latest = versions[-1].version_id
            c.execute(update(Version.__table__).where(Version.__table__.c.version_id == latest).values(server_rev=1))  # type: ignore[attr-defined]
            c.execute(update(Outbox.__table__).where(Outbox.__table__.c.op_id == latest).values(state="done"))  # type: ignore[attr-defined]
        c.execute(
            update(table)
            .where(table.c.uuid == questionnaire_uuid)
            .values(status=status.value, status_changed_at=moment)
        )


def add_notice(
    store: Store, questionnaire_uuid: str, message: str, *, question_id: str | None = None, status: str = "open"
) -> None:
    table = Notice.__table__  # type: ignore[attr-defined]
    with store.engine.begin() as c:
        c.execute(table.insert().values(
            notice_id=str(uuidlib.uuid4()), questionnaire_uuid=questionnaire_uuid, question_id=question_id,
            message=message, status=status, created_at=dt.datetime(2025, 10, 2, 9, 0, tzinfo=dt.UTC).isoformat(),
        ))  # fmt: skip


def store_attachment(store: Store, content: bytes, sha256: str) -> Path:
    folder = store.path.parent / "attachments"
    folder.mkdir(exist_ok=True)
    path = folder / sha256
    path.write_bytes(content)
    return path
