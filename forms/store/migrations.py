"""Numbered schema upgrades, keyed on PRAGMA user_version, all in one transaction.

To change the schema: append a step (never edit a released one), update schema.py to match, and
add the older version to the upgrade test's fixtures. A step is plain SQL so that it stays exactly
what it was when it shipped.
"""

from __future__ import annotations

from sqlalchemy import Engine

from forms.store.database import WRITE
from forms.store.errors import StoreError

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

# Index i holds the SQL that takes a database from user_version i to i + 1.
STEPS: list[str] = [_V1, _V2, _V3_REPLIES, _V4_CARRY]
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


def upgrade(engine: Engine, target: int = LATEST) -> int:
    """Bring the file to `target`, all steps in one immediate transaction; return the version reached."""
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        current = int(connection.exec_driver_sql("PRAGMA user_version").scalar() or 0)
        if current > LATEST:
            raise SchemaTooNew(current)
        for step in range(current, target):
            for statement in filter(str.strip, STEPS[step].split(";")):
                connection.exec_driver_sql(statement)
            connection.exec_driver_sql(f"PRAGMA user_version = {step + 1}")
        return max(current, target)
