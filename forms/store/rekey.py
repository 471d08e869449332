"""Give a questionnaire a new id, keeping everything (answers, versions, outbox, notices, attachments).

Used when the server answers id_taken: another organisation wrote first under this id (an exported
file used as a template elsewhere, say). Every table with a `questionnaire_uuid` column follows,
including tables added by later schema steps, in one transaction.
"""

from __future__ import annotations

import uuid as uuidlib

from sqlalchemy import text

from forms.store.store import Store


def rekey(store: Store, questionnaire_uuid: str) -> str:
    """The questionnaire's new uuid; its rows everywhere now carry it."""
    store.get(questionnaire_uuid)  # NotFound for an unknown id
    new_uuid = str(uuidlib.uuid4())
    with store._write() as c:
        c.exec_driver_sql("PRAGMA defer_foreign_keys = ON")  # checked at commit, when all rows agree
        tables = [
            row[0]
            for row in c.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")
            if any(col[1] == "questionnaire_uuid" for col in c.exec_driver_sql(f'PRAGMA table_info("{row[0]}")'))
        ]
        c.execute(
            text("UPDATE questionnaire SET uuid = :new WHERE uuid = :old"), {"new": new_uuid, "old": questionnaire_uuid}
        )
        for name in tables:
            c.execute(
                text(f'UPDATE "{name}" SET questionnaire_uuid = :new WHERE questionnaire_uuid = :old'),
                {"new": new_uuid, "old": questionnaire_uuid},
            )
    store._forms.pop(questionnaire_uuid, None)
    return new_uuid
