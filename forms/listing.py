"""The list of questionnaires read straight from the summaries, with the standard library alone.

`bilan-clas list` and the app's list show, for each questionnaire, what `questionnaire_summary`
holds (forms/store/summary.py keeps it; the schema's triggers drop a row whenever what it
summarises changes). When every summary is there, the list is one SELECT through sqlite3, with
neither sqlalchemy nor the form definitions loaded; otherwise `fresh_summaries` says so (None) and
the caller takes the store's path, which rebuilds the missing rows.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from forms.lifecycle import Badge, Status, display

DB_FILE = "bilan-clas.sqlite3"  # the store's file (forms.store.store.DB_FILE_NAME, which imports sqlalchemy)

SELECT = """
SELECT q.uuid, q.title, q.form_id, q.form_version, q.status, q.updated_at,
       s.pages_complete, s.pages_total, s.points, s.campaign, s.campaign_opens, s.deletable, s.outbox_states
FROM questionnaire AS q LEFT JOIN questionnaire_summary AS s ON s.questionnaire_uuid = q.uuid
ORDER BY q.updated_at DESC
"""


@dataclass(frozen=True)
class Summary:
    uuid: str
    title: str
    form_id: str
    form_version: int
    status: Status
    updated_at: dt.datetime
    pages_complete: int | None  # None: the questionnaire's form is unknown here
    pages_total: int
    points: int  # the « points à voir » still blocking the transmission
    campaign: str
    campaign_opens: str
    deletable: bool
    outbox_states: tuple[str, ...]

    @property
    def badge(self) -> Badge:
        """The status as shown, « Échec d'envoi » included."""
        return display(self.status, self.outbox_states)

    @property
    def progress(self) -> str:
        """« n/N » pages complete, « ? » when the form is unknown."""
        return "?" if self.pages_complete is None else f"{self.pages_complete}/{self.pages_total}"


def fresh_summaries(db_path: Path) -> list[Summary] | None:
    """Every questionnaire's summary in one read-only query, or None when the store must be opened
    (no file yet, a schema to upgrade or too new to read, a summary missing, a busy or odd file)."""
    from forms.store.migrations import LATEST  # plain SQL constants: no sqlalchemy

    if not db_path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error:
        return None
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] != LATEST:
            return None
        rows = connection.execute(SELECT).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    if any(row[7] is None for row in rows):
        return None
    return [
        Summary(
            uuid=r[0],
            title=r[1],
            form_id=r[2],
            form_version=r[3],
            status=Status(r[4]),
            updated_at=dt.datetime.fromisoformat(r[5]),
            pages_complete=r[6],
            pages_total=r[7],
            points=r[8],
            campaign=r[9],
            campaign_opens=r[10],
            deletable=bool(r[11]),
            outbox_states=tuple(json.loads(r[12])),
        )  # fmt: skip
        for r in rows
    ]
