"""Numbered schema upgrades, keyed on PRAGMA user_version, all in one transaction.

To change the schema: append a step (never edit a released one), update schema.py to match, and
add the older version to the upgrade test's fixtures. A step is plain SQL so that it stays exactly
what it was when it shipped.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from forms.store.errors import StoreError

if TYPE_CHECKING:  # imported by the light reader (forms/listing.py) too: no sqlalchemy at import
    from sqlalchemy import Engine

_V1 = """
CREATE TABLE profile (
    id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    answers TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE questionnaire (
    uuid TEXT NOT NULL PRIMARY KEY,
    form_id TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    status_changed_at TEXT NOT NULL,
    current_page TEXT,
    base_version_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE answer (
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (questionnaire_uuid, question_id)
);
CREATE TABLE version (
    version_id TEXT NOT NULL PRIMARY KEY,
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    base_version_id TEXT,
    author TEXT NOT NULL,
    form_id TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    answers TEXT NOT NULL,
    payload_sha256 TEXT NOT NULL,
    server_rev INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX ix_version_questionnaire_uuid ON version (questionnaire_uuid);
CREATE TABLE outbox (
    op_id TEXT NOT NULL PRIMARY KEY,
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    version_id TEXT NOT NULL REFERENCES version (version_id),
    state TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    last_error_code TEXT,
    last_error_message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_outbox_questionnaire_uuid ON outbox (questionnaire_uuid);
CREATE TABLE notice (
    notice_id TEXT NOT NULL PRIMARY KEY,
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    version_id TEXT,
    question_id TEXT,
    message TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT
);
CREATE INDEX ix_notice_questionnaire_uuid ON notice (questionnaire_uuid);
CREATE TABLE attachment (
    sha256 TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    stored_at TEXT NOT NULL
);
CREATE TABLE syncstate (
    "key" TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# v2 (sync client): a field changed both by the Caf and locally waits here for the user's choice.
_V2 = """
CREATE TABLE conflict (
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    caf_value TEXT,
    my_value TEXT,
    caf_version_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (questionnaire_uuid, question_id)
);
"""

# v3 (replies): the partner's replies to the Caf's notices, queued for the sync like the outbox.
_V3_REPLIES = """
CREATE TABLE notice_reply (
    reply_id TEXT NOT NULL PRIMARY KEY,
    notice_id TEXT NOT NULL,
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    message TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    last_error_code TEXT,
    last_error_message TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX ix_notice_reply_questionnaire_uuid ON notice_reply (questionnaire_uuid);
"""

# carry (issue 12): pages prefilled from an earlier bilan, « à vérifier » until looked at; answers whose
# question a newer version of the definition dropped, kept with the questionnaire.
_V4_CARRY = """
CREATE TABLE carried_page (
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    page_id TEXT NOT NULL,
    source_uuid TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (questionnaire_uuid, page_id)
);
CREATE TABLE archived_answer (
    questionnaire_uuid TEXT NOT NULL REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    form_version INTEGER NOT NULL,
    value TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    PRIMARY KEY (questionnaire_uuid, question_id, form_version)
);
"""

# v5 (the list in one query): what the list shows of each questionnaire, computed once from its
# answers. The triggers drop a row inside the very transaction that changes what it summarises,
# whichever code writes (an answer, the status or form, a version, an outbox item): a summary is
# never stale, only missing, and the store rebuilds missing ones (all of them after this step) on
# the next list.
_V5_SUMMARY = """
CREATE TABLE questionnaire_summary (
    questionnaire_uuid TEXT NOT NULL PRIMARY KEY REFERENCES questionnaire (uuid) ON DELETE CASCADE,
    pages_complete INTEGER NOT NULL,
    pages_total INTEGER NOT NULL,
    points INTEGER NOT NULL,
    campaign TEXT NOT NULL,
    campaign_opens TEXT NOT NULL,
    deletable INTEGER NOT NULL,
    outbox_states TEXT NOT NULL,
    computed_at TEXT NOT NULL
);
CREATE TRIGGER summary_answer_insert AFTER INSERT ON answer BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = NEW.questionnaire_uuid; END;
CREATE TRIGGER summary_answer_update AFTER UPDATE ON answer BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid IN (OLD.questionnaire_uuid, NEW.questionnaire_uuid); END;
CREATE TRIGGER summary_answer_delete AFTER DELETE ON answer BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = OLD.questionnaire_uuid; END;
CREATE TRIGGER summary_questionnaire_update AFTER UPDATE OF status, form_id, form_version ON questionnaire BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = OLD.uuid; END;
CREATE TRIGGER summary_questionnaire_delete AFTER DELETE ON questionnaire BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = OLD.uuid; END;
CREATE TRIGGER summary_version_insert AFTER INSERT ON version BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = NEW.questionnaire_uuid; END;
CREATE TRIGGER summary_version_delete AFTER DELETE ON version BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = OLD.questionnaire_uuid; END;
CREATE TRIGGER summary_outbox_insert AFTER INSERT ON outbox BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = NEW.questionnaire_uuid; END;
CREATE TRIGGER summary_outbox_update AFTER UPDATE OF state ON outbox BEGIN
    DELETE FROM questionnaire_summary WHERE questionnaire_uuid = NEW.questionnaire_uuid; END
"""

# v6 (structure lock, issue 14): the Caf validated the organisation's fiche Structure for a campaign (a form
# id): these questions are read-only in every questionnaire of that campaign, new ones included.
_V6_STRUCTURE_LOCK = """
CREATE TABLE structure_lock (
    form_id TEXT NOT NULL PRIMARY KEY,
    validated_at TEXT NOT NULL,
    question_ids TEXT NOT NULL,
    answers TEXT NOT NULL,
    questionnaire_uuid TEXT,
    received_at TEXT NOT NULL
);
"""

# Index i holds the SQL that takes a database from user_version i to i + 1.
STEPS: list[str] = [_V1, _V2, _V3_REPLIES, _V4_CARRY, _V5_SUMMARY, _V6_STRUCTURE_LOCK]
LATEST = len(STEPS)


class SchemaTooNew(StoreError, RuntimeError):
    """The file was written by a newer Bilan Clas: refuse to touch it rather than corrupt it.

    A StoreError, so that the CLI and the app show its French message rather than a traceback.
    """

    def __init__(self, found: int) -> None:
        super().__init__(
            f"Ces données ont été enregistrées par une version plus récente de Bilan Clas (schéma {found}, "
            f"celle-ci connaît le schéma {LATEST}) : installez la dernière version de Bilan Clas pour les ouvrir."
        )
        self.found = found


def schema_version(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)


def _statements(script: str) -> list[str]:
    """The script's statements, split where SQLite says one is complete (a trigger's body holds `;`)."""
    statements, pending = [], ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                statements.append(pending.strip())
            pending = ""
    if pending.strip(" \n;"):
        statements.append(pending.strip())
    return statements


def upgrade(engine: Engine, target: int = LATEST) -> int:
    """Bring the file to `target`, all steps in one immediate transaction; return the version reached."""
    from forms.store.database import WRITE

    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        current = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
        if current > LATEST:
            raise SchemaTooNew(current)
        for step in range(current, target):
            for statement in _statements(STEPS[step]):
                connection.exec_driver_sql(statement)
            connection.exec_driver_sql(f"PRAGMA user_version = {step + 1}")
        return max(current, target)
