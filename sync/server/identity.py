"""The server's stable id, made once and kept in its database (it survives restarts and upgrades)."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from sync.server.db import Database
from sync.server.models import ServerIdentity
from sync.server.settings import utc_now


def server_id(db: Database) -> uuid.UUID:
    with db.read() as session:
        found = session.get(ServerIdentity, 1)
    if found is not None:
        return found.server_id

    def work(session: Session) -> uuid.UUID:
        row = session.get(ServerIdentity, 1)
        if row is None:
            row = ServerIdentity(id=1, server_id=uuid.uuid4(), created_at=utc_now())
            session.add(row)
        return row.server_id

    return db.write(work)
