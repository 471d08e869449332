"""The local store: questionnaires, their answers, versions, outbox and notices in one SQLite file.

Each public method is one transaction. An answer write is one short durable transaction: when
`set_answer` returns, the edit survives a crash or a power cut (WAL, synchronous=FULL).
"""

from __future__ import annotations

import builtins
import datetime as dt
import json
import uuid as uuidlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.dialects.sqlite import insert

from forms.answers import Answers, is_answered
from forms.definition import FormDefinition
from forms.evaluation import Evaluation, evaluate, transmitted_answers
from forms.lifecycle import Action, Status, allowed, next_state, refusal, states_allowing
from forms.payload import canonical_json
from forms.registry import FormRegistry
from forms.stand_in import missing_definition_message, stand_in_definition
from forms.store import backups, locks
from forms.store.database import WRITE, damaged, full_check_ok, inspect_file, integrity_ok, open_engine
from forms.store.errors import (
    ConflictsPending,
    InvalidAnswer,
    NotDeletable,
    NotEditable,
    NotFound,
    NotTransmittable,
    UnknownForm,
)
from forms.store.freezing import freeze_version
from forms.store.migrations import LATEST, SchemaTooNew, upgrade
from forms.store.schema import Answer, Notice, Profile, Questionnaire, SyncState, Version
from forms.store.schema import Conflict as ConflictRow
from forms.validators import shape_error

DB_FILE_NAME = "bilan-clas.sqlite3"

_Q = Questionnaire.__table__  # type: ignore[attr-defined]
_A = Answer.__table__  # type: ignore[attr-defined]
_V = Version.__table__  # type: ignore[attr-defined]
_C = ConflictRow.__table__  # type: ignore[attr-defined]
_S = SyncState.__table__  # type: ignore[attr-defined]
_N = Notice.__table__  # type: ignore[attr-defined]
_P = Profile.__table__  # type: ignore[attr-defined]


_EDITABLE = states_allowing(Action.EDIT)
_TOUCH_EDITABLE = (
    f"UPDATE questionnaire SET updated_at = ? WHERE uuid = ? AND status IN ({', '.join('?' * len(_EDITABLE))})"
)
_UPSERT_ANSWER = (
    "INSERT INTO answer (questionnaire_uuid, question_id, value, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (questionnaire_uuid, question_id) "
    "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)
_DELETE_ANSWER = "DELETE FROM answer WHERE questionnaire_uuid = ? AND question_id = ?"
_SELECT_ANSWER = "SELECT value FROM answer WHERE questionnaire_uuid = ? AND question_id = ?"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _title(title: str) -> str:
    """The trimmed title; refused if SQLite cannot store it (a lone surrogate from undecodable input)."""
    try:
        title.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidAnswer("Titre illisible : il contient un caractère invalide.") from None
    return title.strip()


@dataclass(frozen=True)
class QuestionnaireInfo:
    uuid: str
    form_id: str
    form_version: int
    title: str
    status: Status
    status_changed_at: dt.datetime
    current_page: str | None
    base_version_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def from_row(cls, row: Any) -> QuestionnaireInfo:
        return cls(
            uuid=row.uuid,
            form_id=row.form_id,
            form_version=row.form_version,
            title=row.title,
            status=Status(row.status),
            status_changed_at=dt.datetime.fromisoformat(row.status_changed_at),
            current_page=row.current_page,
            base_version_id=row.base_version_id,
            created_at=dt.datetime.fromisoformat(row.created_at),
            updated_at=dt.datetime.fromisoformat(row.updated_at),
        )


@dataclass(frozen=True)
class VersionInfo:
    version_id: str
    base_version_id: str | None
    author: str
    answers: Answers
    payload_sha256: str
    server_rev: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class NoticeInfo:
    notice_id: str
    question_id: str | None
    message: str
    status: str
    created_at: dt.datetime


class Store:
    def __init__(self, path: Path, registry: FormRegistry) -> None:
        self.path = path
        self.registry = registry
        found = inspect_file(path) if path.is_file() and path.stat().st_size > 0 else 0
        if found > LATEST:
            raise SchemaTooNew(found)  # refused before any connection could switch it to WAL
        self.engine = open_engine(path)
        try:
            if found < 0 and not full_check_ok(self.engine):
                raise damaged(path, "contrôle d'intégrité après un arrêt brutal")
            if 0 < found < LATEST:
                backups.backup_if_older_than(path, dt.timedelta(0), "avant-migration")
            upgrade(self.engine)
        except BaseException:
            self.engine.dispose()  # a refused or failed upgrade leaves no connection open on the file
            raise
        self._forms: dict[str, FormDefinition] = {}  # uuid -> definition; changes only by forms/upgrade.py
        self._stand_ins: dict[str, str] = {}  # uuid shown on a stand-in definition (read-only) -> why

    @classmethod
    def open(cls, data_dir: Path, registry: FormRegistry) -> Store:
        """The store of a data folder; a backup of an existing file when the newest is a day old."""
        path = data_dir / DB_FILE_NAME
        existed = path.is_file() and path.stat().st_size > 0
        store = cls(path, registry)
        if existed:
            backups.backup_if_older_than(path, backups.STALE_AFTER, "quotidienne")
        return store

    def close(self) -> None:
        self.engine.dispose()

    def integrity_ok(self) -> bool:
        return integrity_ok(self.engine)

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**WRITE) as connection, connection.begin():
            yield connection

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as connection, connection.begin():
            yield connection

    # --- small settings kept with the data (never secrets) ---------------------------------

    def setting(self, key: str) -> str | None:
        with self._read() as c:
            return c.execute(select(_S.c.value).where(_S.c.key == key)).scalar()

    def set_setting(self, key: str, value: str | None) -> None:
        with self._write() as c:
            if value is None:
                c.execute(delete(_S).where(_S.c.key == key))
            else:
                c.execute(
                    insert(_S)
                    .values(key=key, value=value)
                    .on_conflict_do_update(index_elements=["key"], set_={"value": value})
                )

    # --- forms ---------------------------------------------------------------------------

    def _definition(self, form_id: str, version: int | None = None) -> FormDefinition:
        try:
            return self.registry.get(form_id, version)
        except KeyError:
            shown = form_id if version is None else f"{form_id} (version {version})"
            raise UnknownForm(f"Formulaire inconnu : {shown}.") from None

    def definition(self, questionnaire_uuid: str) -> FormDefinition:
        """Its definition; a stand-in showing the stored answers when it is missing (set aside, not received)."""
        if questionnaire_uuid not in self._forms:
            info = self.get(questionnaire_uuid)
            try:
                self._forms[questionnaire_uuid] = self._definition(info.form_id, info.form_version)
            except UnknownForm:
                self._forms[questionnaire_uuid] = stand_in_definition(
                    info.form_id, info.form_version, self.answers(questionnaire_uuid)
                )
                self._stand_ins[questionnaire_uuid] = missing_definition_message(info.form_id, info.form_version)
        return self._forms[questionnaire_uuid]

    def forget_definition(self, questionnaire_uuid: str) -> None:
        """Read its definition again next time (after forms/upgrade.py moved it to a newer version)."""
        self._forms.pop(questionnaire_uuid, None)
        self._stand_ins.pop(questionnaire_uuid, None)

    def definition_missing(self, questionnaire_uuid: str) -> bool:
        """True when its own definition is missing here: it opens read-only on a stand-in."""
        self.definition(questionnaire_uuid)
        return questionnaire_uuid in self._stand_ins

    def stand_in_reason(self, questionnaire_uuid: str) -> str:
        """Why it is read-only on a stand-in (one French sentence), or ""."""
        self.definition(questionnaire_uuid)
        return self._stand_ins.get(questionnaire_uuid, "")

    def _checked(self, definition: FormDefinition, answers: Mapping[str, Any]) -> dict[str, str]:
        """Answers as canonical JSON per question; refuses unknown questions and ill-shaped values."""
        known = {q.id: q for q in definition.questions()}
        encoded = {}
        for question_id, value in answers.items():
            if question_id not in known:
                raise InvalidAnswer(f"Question inconnue dans le formulaire {definition.id} : {question_id}.")
            problem = shape_error(known[question_id], value)
            if problem:
                raise InvalidAnswer(problem)
            if is_answered(value):
                encoded[question_id] = canonical_json(value)
        return encoded

    # --- profile -------------------------------------------------------------------------

    def profile(self) -> Answers:
        with self._read() as c:
            raw = c.execute(select(_P.c.answers)).scalar()
        return json.loads(raw) if raw else {}

    def save_profile(self, answers: Mapping[str, Any]) -> None:
        """Replace the structure profile (answers to fiche Structure questions, keyed by question id)."""
        now = _iso(utc_now())
        data = canonical_json({k: v for k, v in answers.items() if is_answered(v)})
        with self._write() as c:
            c.execute(
                insert(_P)
                .values(id=1, answers=data, updated_at=now)
                .on_conflict_do_update(index_elements=["id"], set_={"answers": data, "updated_at": now})
            )

    # --- questionnaires ------------------------------------------------------------------

    def create(
        self,
        *,
        form_id: str,
        title: str,
        form_version: int | None = None,
        answers: Mapping[str, Any] | None = None,
        questionnaire_uuid: str | None = None,
    ) -> QuestionnaireInfo:
        """A new draft. Without `answers`, its fiche Structure is prefilled from the profile."""
        definition = self._definition(form_id, form_version)
        if answers is None:
            structure = {q.id: q for q in definition.part_questions("structure") if not q.caf_only}
            answers = {k: v for k, v in self.profile().items() if k in structure and not shape_error(structure[k], v)}
        # A Caf-only answer (e.g. the Sias number) comes from the Caf, never from a file or a profile.
        answers = {k: v for k, v in answers.items() if not _caf_only(definition, k)}
        with self._read() as c:
            lock = locks.lock_of(c, definition.id)
        if lock is not None:  # a new action of a validated fiche Structure starts from what the Caf validated
            answers = locks.with_locked(answers, lock.answers, lock)
        encoded = self._checked(definition, answers)
        new_uuid = questionnaire_uuid or str(uuidlib.uuid4())
        now = _iso(utc_now())
        with self._write() as c:
            c.execute(
                _Q.insert().values(
                    uuid=new_uuid,
                    form_id=definition.id,
                    form_version=definition.version,
                    title=_title(title),
                    status=Status.EN_COURS.value,
                    status_changed_at=now,
                    created_at=now,
                    updated_at=now,
                )
            )
            if encoded:
                c.execute(
                    _A.insert(),
                    [
                        {"questionnaire_uuid": new_uuid, "question_id": k, "value": v, "updated_at": now}
                        for k, v in encoded.items()
                    ],
                )
        return self.get(new_uuid)

    def get(self, questionnaire_uuid: str) -> QuestionnaireInfo:
        with self._read() as c:
            row = c.execute(select(_Q).where(_Q.c.uuid == questionnaire_uuid)).first()
        if row is None:
            raise NotFound(f"Aucun questionnaire ne porte l'identifiant {questionnaire_uuid}.")
        return QuestionnaireInfo.from_row(row)

    def list(self) -> list[QuestionnaireInfo]:
        with self._read() as c:
            rows = c.execute(select(_Q).order_by(_Q.c.updated_at.desc())).all()
        return [QuestionnaireInfo.from_row(r) for r in rows]

    def answers(self, questionnaire_uuid: str) -> Answers:
        with self._read() as c:
            rows = c.execute(select(_A.c.question_id, _A.c.value).where(_A.c.questionnaire_uuid == questionnaire_uuid))
            return {qid: json.loads(value) for qid, value in rows}

    def evaluate(self, questionnaire_uuid: str) -> Evaluation:
        return evaluate(self.definition(questionnaire_uuid), self.answers(questionnaire_uuid))

    def _touch_editable(self, c: Connection, questionnaire_uuid: str, now: str) -> None:
        """Bump updated_at if the questionnaire may be edited, inside the caller's transaction; else raise."""
        if questionnaire_uuid in self._stand_ins:  # filled by definition(), which every editing method calls first
            raise NotEditable(self._stand_ins[questionnaire_uuid])
        touched = c.execute(
            update(_Q)
            .where(_Q.c.uuid == questionnaire_uuid, _Q.c.status.in_(states_allowing(Action.EDIT)))
            .values(updated_at=now)
        ).rowcount
        if not touched:
            status = c.execute(select(_Q.c.status).where(_Q.c.uuid == questionnaire_uuid)).scalar()
            if status is None:
                raise NotFound(f"Aucun questionnaire ne porte l'identifiant {questionnaire_uuid}.")
            raise NotEditable(refusal(Status(status), Action.EDIT))

    def set_answer(self, questionnaire_uuid: str, question_id: str, value: Any) -> dt.datetime:
        """Save one answer durably (None or blank clears it); return when it was saved."""
        definition = self.definition(questionnaire_uuid)
        if questionnaire_uuid in self._stand_ins:  # its own definition is missing here: read-only
            raise NotEditable(self._stand_ins[questionnaire_uuid])
        if _caf_only(definition, question_id):
            label = definition.question(question_id).label
            raise InvalidAnswer(f"« {label} » est rempli par la Caf : vous ne pouvez pas le modifier.")
        encoded = self._checked(definition, {question_id: value})
        moment = utc_now()
        now = _iso(moment)
        with self._write() as c:
            # Plain SQL, prepared once by sqlite3's statement cache: the autosave path builds no SQL.
            touched = c.exec_driver_sql(_TOUCH_EDITABLE, (now, questionnaire_uuid, *_EDITABLE)).rowcount
            if not touched:
                self._touch_editable(c, questionnaire_uuid, now)  # says why (not found, not editable)
            if _in_structure(definition, question_id) and question_id in locks.locked_ids(c, definition.id):
                stored = c.exec_driver_sql(_SELECT_ANSWER, (questionnaire_uuid, question_id)).scalar()
                if stored != encoded.get(question_id):  # the same value again is no change: the server takes it
                    raise InvalidAnswer(locks.locked_message(definition.question(question_id).label))
            if question_id in encoded:
                c.exec_driver_sql(_UPSERT_ANSWER, (questionnaire_uuid, question_id, encoded[question_id], now))
            else:
                c.exec_driver_sql(_DELETE_ANSWER, (questionnaire_uuid, question_id))
        return moment

    def replace_answers(self, questionnaire_uuid: str, answers: Mapping[str, Any], title: str | None = None) -> None:
        """Replace every answer at once (import); only while the questionnaire is editable.

        Caf-only answers keep their stored value whatever the file says: only the Caf sets them."""
        definition = self.definition(questionnaire_uuid)
        current = self.answers(questionnaire_uuid)
        answers = {k: v for k, v in answers.items() if not _caf_only(definition, k)}
        answers |= {q.id: current[q.id] for q in definition.questions() if q.caf_only and q.id in current}
        with self._read() as c:
            lock = locks.lock_of(c, definition.id)
        if lock is not None:  # the Caf validated the fiche Structure: its answers stay as they are
            answers = locks.with_locked(answers, current, lock)
        encoded = self._checked(definition, answers)
        now = _iso(utc_now())
        with self._write() as c:
            self._touch_editable(c, questionnaire_uuid, now)
            if title:
                c.execute(update(_Q).where(_Q.c.uuid == questionnaire_uuid).values(title=_title(title)))
            c.execute(delete(_A).where(_A.c.questionnaire_uuid == questionnaire_uuid))
            if encoded:
                c.execute(
                    _A.insert(),
                    [
                        {"questionnaire_uuid": questionnaire_uuid, "question_id": k, "value": v, "updated_at": now}
                        for k, v in encoded.items()
                    ],
                )

    def rename(self, questionnaire_uuid: str, title: str) -> None:
        self.definition(questionnaire_uuid)
        with self._write() as c:
            self._touch_editable(c, questionnaire_uuid, _iso(utc_now()))
            c.execute(update(_Q).where(_Q.c.uuid == questionnaire_uuid).values(title=_title(title)))

    def set_current_page(self, questionnaire_uuid: str, page_id: str) -> None:
        """Remember where the user was (any status: read-only views remember it too)."""
        with self._write() as c:
            c.execute(update(_Q).where(_Q.c.uuid == questionnaire_uuid).values(current_page=page_id))

    @staticmethod
    def _deletable(c: Connection, questionnaire_uuid: str) -> bool:
        status = c.execute(select(_Q.c.status).where(_Q.c.uuid == questionnaire_uuid)).scalar()
        if status is None:
            raise NotFound(f"Aucun questionnaire ne porte l'identifiant {questionnaire_uuid}.")
        versions = c.execute(select(func.count()).where(_V.c.questionnaire_uuid == questionnaire_uuid)).scalar()
        return allowed(Status(status), Action.DELETE) and not versions

    def can_delete(self, questionnaire_uuid: str) -> bool:
        """Only a draft never transmitted may be deleted: anything the Caf may have seen is kept."""
        with self._read() as c:
            return self._deletable(c, questionnaire_uuid)

    def delete(self, questionnaire_uuid: str) -> None:
        """Delete a draft that was never transmitted; anything the Caf has seen is kept."""
        with self._write() as c:
            if not self._deletable(c, questionnaire_uuid):
                raise NotDeletable("Seul un brouillon jamais transmis peut être supprimé.")
            c.execute(delete(_Q).where(_Q.c.uuid == questionnaire_uuid))
        self._forms.pop(questionnaire_uuid, None)

    # --- transmission --------------------------------------------------------------------

    def transmit(self, questionnaire_uuid: str) -> str:
        """Freeze a complete questionnaire as a new version queued in the outbox; return its version id.

        The version, its frozen body and the status change commit together, or not at all.
        """
        definition = self.definition(questionnaire_uuid)
        now = _iso(utc_now())
        with self._write() as c:
            rows = c.execute(select(_A.c.question_id, _A.c.value).where(_A.c.questionnaire_uuid == questionnaire_uuid))
            answers = {qid: json.loads(value) for qid, value in rows}
            self._touch_editable(c, questionnaire_uuid, now)  # a frozen questionnaire says so, whatever it holds
            lock = locks.lock_of(c, definition.id)
            if lock is not None and locks.restore(c, questionnaire_uuid, lock, now):
                # A locked answer the partner could not have changed (an edit made before the lock arrived):
                # sent as the server holds it, else the server would refuse the whole transmission.
                answers = locks.with_locked(answers, locks.reference(c, questionnaire_uuid, lock), lock)
            evaluation = evaluate(definition, answers)
            if not evaluation.transmittable:
                raise NotTransmittable(evaluation)
            if c.execute(select(func.count()).where(_C.c.questionnaire_uuid == questionnaire_uuid)).scalar():
                raise ConflictsPending(
                    "Des réponses modifiées à la fois par la Caf et par vous restent à départager avant de transmettre."
                )
            row = c.execute(select(_Q.c.base_version_id, _Q.c.status).where(_Q.c.uuid == questionnaire_uuid)).one()
            base, status = row.base_version_id, next_state(Status(row.status), Action.TRANSMIT)
            version_id = freeze_version(
                c,
                definition=definition,
                questionnaire_uuid=questionnaire_uuid,
                answers=transmitted_answers(definition, answers),
                base_version_id=base,
                now=now,
            )
            c.execute(update(_Q).where(_Q.c.uuid == questionnaire_uuid).values(status=status, status_changed_at=now))
        return version_id

    def versions(self, questionnaire_uuid: str) -> builtins.list[VersionInfo]:
        with self._read() as c:
            rows = c.execute(select(_V).where(_V.c.questionnaire_uuid == questionnaire_uuid).order_by(_V.c.created_at))
            return [
                VersionInfo(
                    r.version_id,
                    r.base_version_id,
                    r.author,
                    json.loads(r.answers),
                    r.payload_sha256,
                    r.server_rev,
                    dt.datetime.fromisoformat(r.created_at),
                )
                for r in rows
            ]

    def structure_lock(self, questionnaire_uuid: str) -> locks.StructureLockInfo | None:
        """The Caf's validation of the fiche Structure of its campaign, if any (its questions read-only)."""
        form_id = self.get(questionnaire_uuid).form_id
        with self._read() as c:
            return locks.lock_of(c, form_id)

    def notices(self, questionnaire_uuid: str) -> builtins.list[NoticeInfo]:
        with self._read() as c:
            rows = c.execute(select(_N).where(_N.c.questionnaire_uuid == questionnaire_uuid).order_by(_N.c.created_at))
            return [
                NoticeInfo(r.notice_id, r.question_id, r.message, r.status, dt.datetime.fromisoformat(r.created_at))
                for r in rows
            ]


def _in_structure(definition: FormDefinition, question_id: str) -> bool:
    """Only a fiche Structure question can be locked: the autosave of the others asks nothing more."""
    return any(q.id == question_id for q in definition.part_questions("structure"))


def _caf_only(definition: FormDefinition, question_id: str) -> bool:
    return any(q.id == question_id and q.caf_only for q in definition.questions())
