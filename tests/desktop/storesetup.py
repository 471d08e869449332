"""Test setup written straight into the store's tables: what the sync client will do later
(status changes from the Caf, the Caf's notices), without going through a server."""

from __future__ import annotations

import datetime as dt
import uuid as uuidlib

from forms.lifecycle import Status
from forms.store import Store


def set_status(store: Store, questionnaire_uuid: str, status: Status) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE questionnaire SET status = ? WHERE uuid = ?", (status.value, questionnaire_uuid)
        )


def add_notice(
    store: Store, questionnaire_uuid: str, message: str, question_id: str | None = None, status: str = "open"
) -> str:
    notice_id = str(uuidlib.uuid4())
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO notice (notice_id, questionnaire_uuid, question_id, message, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (notice_id, questionnaire_uuid, question_id, message, status, dt.datetime.now(dt.UTC).isoformat()),
        )
    return notice_id
