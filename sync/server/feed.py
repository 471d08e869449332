"""The per-organisation change feed: seq assigned in commit order, opaque cursors, pages.

The seq comes from the organisation's counter row, incremented inside the writing transaction; the
row lock is held until commit, so a reader can never see seq n+1 while seq n is still uncommitted
(a plain auto-increment or sequence can commit out of order and make clients skip rows).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, col, select

from forms.payload import canonical_json
from sync import protocol as p
from sync.server.db import table
from sync.server.models import FeedChange, FeedCounter
from sync.server.problems import ApiProblem

_CURSOR_PREFIX = "c1"
_COUNTERS = table(FeedCounter)
# Built once; the row lock this UPDATE takes is what orders the organisation's writers.
_BUMP_COUNTER = (
    update(_COUNTERS)
    .where(_COUNTERS.c.organisation_id == bindparam("b_org"))
    .values(last_seq=_COUNTERS.c.last_seq + bindparam("b_count"))
    .returning(_COUNTERS.c.last_seq)
)
_INSERT_CHANGE = insert(table(FeedChange))


def ensure_counter(session: Session, organisation_id: int) -> None:
    if session.get(FeedCounter, organisation_id) is None:
        session.add(FeedCounter(organisation_id=organisation_id, last_seq=0))
        session.flush()


def emit(
    session: Session,
    organisation_id: int,
    questionnaire_id: uuid.UUID,
    changes: list[p.ChangeData],
    now: dt.datetime,
) -> list[int]:
    """Append `changes` (protocol models, typed by p.change_type) to the organisation's feed; returns their seqs."""
    if not changes:
        return []
    connection = session.connection()
    bump = {"b_org": organisation_id, "b_count": len(changes)}
    last = connection.execute(_BUMP_COUNTER, bump).scalar_one_or_none()
    if last is None:  # an organisation created before its counter: create it, then retry once
        ensure_counter(session, organisation_id)
        last = connection.execute(_BUMP_COUNTER, bump).scalar_one()
    first = last - len(changes) + 1
    rows = [
        {
            "organisation_id": organisation_id,
            "seq": first + offset,
            "type": p.change_type(data),
            "questionnaire_id": questionnaire_id,
            "data_json": canonical_json(data.model_dump(mode="json")),
            "created_at": now,
        }
        for offset, data in enumerate(changes)
    ]
    connection.execute(_INSERT_CHANGE, rows)
    return list(range(first, last + 1))


def encode_cursor(organisation_id: int, seq: int) -> str:
    raw = f"{_CURSOR_PREFIX}:{organisation_id}:{seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, organisation_id: int) -> int:
    """The seq a cursor stands for; 400 cursor_invalid if malformed or made for another organisation."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, org, seq = raw.split(":")
        if prefix != _CURSOR_PREFIX or int(org) != organisation_id or int(seq) < 0:
            raise ValueError(raw)
        return int(seq)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ApiProblem(400, p.CURSOR_INVALID) from None


def read_page(
    session: Session, organisation_id: int, since: str | None, limit: int, excluded: frozenset[str] = frozenset()
) -> p.ChangesPage:
    """A page of the feed; `excluded` kinds are skipped (an older client does not know them)."""
    after = decode_cursor(since, organisation_id) if since else 0
    counter = session.get(FeedCounter, organisation_id)
    last_seq = counter.last_seq if counter else 0
    if after > last_seq:  # a cursor from the future: the server's database was replaced
        raise ApiProblem(400, p.CURSOR_INVALID)
    query = select(FeedChange).where(FeedChange.organisation_id == organisation_id, FeedChange.seq > after)
    if excluded:
        query = query.where(col(FeedChange.type).not_in(excluded))
    rows = session.exec(
        query.order_by(FeedChange.seq).limit(limit + 1)  # type: ignore[arg-type]
    ).all()
    page = rows[:limit]
    changes = [
        p.Change(seq=row.seq, type=row.type, questionnaire_id=row.questionnaire_id, data=json.loads(row.data_json))  # type: ignore[arg-type]
        for row in page
    ]
    next_seq = page[-1].seq if page else after
    return p.ChangesPage(
        changes=changes, next_cursor=encode_cursor(organisation_id, next_seq), has_more=len(rows) > limit
    )
