"""The local store: round trips, reopening, prefill, lifecycle refusals, atomic transmission, file safety,
schema upgrades from every earlier version, concurrent reading, and durability under kill -9."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlmodel import SQLModel

from forms.lifecycle import Status
from forms.payload import payload_sha256
from forms.registry import FormRegistry
from forms.store import (
    DB_FILE_NAME,
    InvalidAnswer,
    NotDeletable,
    NotEditable,
    NotFound,
    NotTransmittable,
    Store,
    UnknownForm,
)
from forms.store import schema as store_schema
from forms.store.database import open_engine
from forms.store.migrations import LATEST, SchemaTooNew, schema_version, upgrade
from tests.forms import sample_answers
from tests.forms.sample_answers import complete_answers

ROOT = Path(__file__).resolve().parents[2]
ESSAI = "clas-essai"

# One value of every question type (clas-essai v1), as a user may leave them in a draft.
EVERY_TYPE: dict[str, Any] = {
    "q_text": "Réussir Ensemble — « Clas » des Églantiers 🌱",
    "q_email": "contact@reussir-ensemble.fr",
    "q_phone": "04 79 12 34 56",
    "q_siret": "732 829 320 00074",
    "q_siren": "732829320",
    "q_yes_no": True,
    "q_single_choice": "autre",
    "q_long_text": "Première ligne.\nDeuxième ligne, avec\tune tabulation et des espaces finaux  ",
    "q_multiple_choice": ["lycee", "primaire"],
    "q_matrix": {"aide": "souvent", "sorties": "jamais"},
    "q_date": "2024-09-16",
    "q_postal_code": "20090",
    "q_insee_code": "2A004",
    "q_integer": 30,
    "q_integer_part": 0,
    "q_decimal": 1.25,
    "q_file": {"name": "Bilan illustré.pdf", "sha256": "ab" * 32, "size": 52_431, "media_type": "application/pdf"},
}


def essai_draft(store: Store, **answers: Any) -> str:
    return store.create(form_id=ESSAI, form_version=1, title="Action d'essai", answers=answers).uuid


def official_complete(store: Store, **changes: Any) -> str:
    answers = {**complete_answers(), **changes}
    return store.create(form_id=sample_answers.FORM_ID, title=sample_answers.TITLE, answers=answers).uuid


@contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection in autocommit mode, to look at the file without the store."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def count(path: Path, table: str, questionnaire_uuid: str | None = None) -> int:
    with raw(path) as c:
        if questionnaire_uuid is None:
            return c.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - a fixed table name
        sql = f"SELECT count(*) FROM {table} WHERE questionnaire_uuid = ?"  # noqa: S608
        return c.execute(sql, (questionnaire_uuid,)).fetchone()[0]


# --- round trip, reopen ----------------------------------------------------------------------


def test_every_type_round_trips_one_answer_at_a_time(store: Store) -> None:
    uuid = essai_draft(store)
    for question_id, value in EVERY_TYPE.items():
        store.set_answer(uuid, question_id, value)
    assert store.answers(uuid) == EVERY_TYPE
    for question_id, value in store.answers(uuid).items():
        assert type(value) is type(EVERY_TYPE[question_id]), question_id  # True stays bool, 1.25 float, 0 int


def test_every_type_survives_reopening(data_dir: Path, registry: FormRegistry) -> None:
    first = Store.open(data_dir, registry)
    uuid = essai_draft(first, **EVERY_TYPE)
    first.set_current_page(uuid, "p_chiffres")
    first.close()
    second = Store.open(data_dir, registry)
    try:
        assert second.answers(uuid) == EVERY_TYPE
        info = second.get(uuid)
        assert (info.form_id, info.form_version, info.title, info.status) == (
            ESSAI,
            1,
            "Action d'essai",
            Status.EN_COURS,
        )
        assert info.current_page == "p_chiffres"
        assert second.integrity_ok()
    finally:
        second.close()


def test_a_draft_may_hold_incomplete_or_invalid_content(store: Store) -> None:
    uuid = essai_draft(store)
    store.set_answer(uuid, "q_siret", "73282932000075")  # wrong checksum
    store.set_answer(uuid, "q_matrix", {"aide": "souvent"})  # half filled
    store.set_answer(uuid, "q_integer", 100_000)  # out of bounds
    assert store.answers(uuid) == {"q_siret": "73282932000075", "q_matrix": {"aide": "souvent"}, "q_integer": 100_000}
    assert {i.question_id for i in store.evaluate(uuid).blocking} >= {"q_siret", "q_matrix", "q_integer"}


@pytest.mark.parametrize(
    ("question_id", "blank"),
    [
        ("q_text", None),
        ("q_text", ""),
        ("q_text", "   "),
        ("q_multiple_choice", []),
        ("q_matrix", {}),
        ("q_integer", None),
    ],
)
def test_a_blank_answer_clears_the_question(store: Store, question_id: str, blank: Any) -> None:
    uuid = essai_draft(store, **EVERY_TYPE)
    store.set_answer(uuid, question_id, blank)
    assert store.answers(uuid) == {k: v for k, v in EVERY_TYPE.items() if k != question_id}


def test_set_answer_moves_updated_at_and_the_list_order(store: Store) -> None:
    older, newer = essai_draft(store), essai_draft(store)
    assert [q.uuid for q in store.list()][0] == newer
    saved_at = store.set_answer(older, "q_integer", 4)
    info = store.get(older)
    assert info.updated_at == saved_at
    assert info.updated_at > info.created_at
    assert [q.uuid for q in store.list()] == [older, newer]


def test_replace_answers_and_rename(store: Store) -> None:
    uuid = essai_draft(store, q_text="Ancien nom", q_integer=3)
    store.replace_answers(uuid, {"q_decimal": 0.5}, title="  Nouveau titre  ")
    assert store.answers(uuid) == {"q_decimal": 0.5}
    assert store.get(uuid).title == "Nouveau titre"
    store.rename(uuid, "Clas du collège Jean-Moulin")
    assert store.get(uuid).title == "Clas du collège Jean-Moulin"


def test_create_refuses_unknown_forms_and_bad_answers(store: Store) -> None:
    with pytest.raises(UnknownForm, match="Formulaire inconnu : clas-1999"):
        store.create(form_id="clas-1999", title="x")
    with pytest.raises(UnknownForm, match=r"clas-essai \(version 7\)"):
        store.create(form_id=ESSAI, form_version=7, title="x")
    with pytest.raises(InvalidAnswer, match="Question inconnue dans le formulaire clas-essai : q_inconnue"):
        store.create(form_id=ESSAI, title="x", answers={"q_inconnue": 1})
    with pytest.raises(InvalidAnswer, match="nombre entier"):
        store.create(form_id=ESSAI, title="x", answers={"q_integer": "trente"})
    assert store.list() == []


def test_latest_form_version_by_default(store: Store) -> None:
    info = store.create(form_id=ESSAI, title="x")
    assert info.form_version == 2
    store.set_answer(info.uuid, "q_text_added", "Question de la version 2")
    with pytest.raises(InvalidAnswer):
        store.set_answer(essai_draft(store), "q_text_added", "absente de la version 1")


# --- profile prefill -------------------------------------------------------------------------


def test_new_questionnaire_prefills_fiche_structure_from_the_profile(store: Store) -> None:
    profile = sample_answers.structure_profile()
    store.save_profile({**profile, "commune": "Chambéry", "nb_collectifs": 3, "telephone_inconnu": "x"})
    uuid = store.create(form_id=sample_answers.FORM_ID, title="Nouvelle action").uuid
    assert store.answers(uuid) == profile  # fiche Action questions and unknown keys are not prefilled
    assert store.evaluate(uuid).page("identification_structure").state.value == "complete"


def test_prefill_skips_ill_shaped_profile_values(store: Store) -> None:
    store.save_profile({"nom_structure": "Réussir Ensemble", "siret": 73282932000074, "email": ""})
    assert store.profile() == {"nom_structure": "Réussir Ensemble", "siret": 73282932000074}
    uuid = store.create(form_id=sample_answers.FORM_ID, title="Action").uuid
    assert store.answers(uuid) == {"nom_structure": "Réussir Ensemble"}


def test_explicit_answers_are_not_prefilled(store: Store) -> None:
    store.save_profile(sample_answers.structure_profile())
    uuid = store.create(form_id=sample_answers.FORM_ID, title="Action", answers={"commune": "Chambéry"}).uuid
    assert store.answers(uuid) == {"commune": "Chambéry"}


def test_profile_is_replaced_and_kept(data_dir: Path, registry: FormRegistry, store: Store) -> None:
    assert store.profile() == {}
    store.save_profile({"nom_structure": "Première"})
    store.save_profile({"nom_structure": "Seconde", "nom_caf": "Caf de la Savoie"})
    reopened = Store.open(data_dir, registry)
    try:
        assert reopened.profile() == {"nom_structure": "Seconde", "nom_caf": "Caf de la Savoie"}
    finally:
        reopened.close()


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question_id", "value"),
    [
        ("q_integer", "30"),
        ("q_integer", 30.5),
        ("q_integer", True),
        ("q_decimal", float("nan")),
        ("q_yes_no", "oui"),
        ("q_single_choice", "piscine"),
        ("q_multiple_choice", "primaire"),
        ("q_matrix", {"aide": "toujours"}),
        ("q_text", 12),
        ("q_file", "document.pdf"),
        ("q_text", "Chamb\udce9ry"),  # lone surrogate, from a badly decoded file
    ],
)
def test_set_answer_refuses_ill_shaped_values(store: Store, question_id: str, value: Any) -> None:
    uuid = essai_draft(store, **{question_id: EVERY_TYPE[question_id]})
    with pytest.raises(InvalidAnswer) as refused:
        store.set_answer(uuid, question_id, value)
    assert str(refused.value).startswith("Réponse ")
    assert store.answers(uuid) == {question_id: EVERY_TYPE[question_id]}


def test_set_answer_refuses_unknown_questions_and_questionnaires(store: Store) -> None:
    uuid = essai_draft(store)
    with pytest.raises(InvalidAnswer, match="q_inconnue"):
        store.set_answer(uuid, "q_inconnue", 1)
    with pytest.raises(NotFound, match="Aucun questionnaire ne porte l'identifiant 0000"):
        store.set_answer("0000", "q_text", "x")
    with pytest.raises(NotFound):
        store.get("0000")


def test_nothing_is_editable_once_transmitted(store: Store) -> None:
    uuid = official_complete(store)
    store.transmit(uuid)
    before = store.answers(uuid)
    message = "Ce questionnaire est « À envoyer » : il ne peut plus être modifié."
    with pytest.raises(NotEditable, match=message):
        store.set_answer(uuid, "commune", "Aix-les-Bains")
    with pytest.raises(NotEditable):
        store.set_answer(uuid, "commune", None)
    with pytest.raises(NotEditable):
        store.replace_answers(uuid, {"commune": "Aix-les-Bains"})
    with pytest.raises(NotEditable):
        store.rename(uuid, "Autre titre")
    with pytest.raises(NotEditable):
        store.transmit(uuid)
    assert store.answers(uuid) == before
    assert store.get(uuid).title == sample_answers.TITLE
    assert len(store.versions(uuid)) == 1


def test_returned_questionnaire_is_editable_again(store: Store) -> None:
    uuid = official_complete(store)
    first = store.transmit(uuid)
    with raw(store.path) as c:  # what the sync client does when the Caf returns it
        c.execute("UPDATE questionnaire SET status = 'a_corriger' WHERE uuid = ?", (uuid,))
    store.set_answer(uuid, "commune", "Aix-les-Bains")
    second = store.transmit(uuid)
    assert [v.version_id for v in store.versions(uuid)] == [first, second]
    assert store.versions(uuid)[1].answers["commune"] == "Aix-les-Bains"


def test_delete_only_drafts_never_transmitted(store: Store) -> None:
    draft = essai_draft(store, q_text="à supprimer")
    store.delete(draft)
    with pytest.raises(NotFound):
        store.get(draft)
    assert count(store.path, "answer", draft) == 0

    sent = official_complete(store)
    store.transmit(sent)
    with pytest.raises(NotDeletable, match="Seul un brouillon jamais transmis peut être supprimé."):
        store.delete(sent)
    # Even back to "En cours", a questionnaire with a version was seen by the Caf: kept.
    with raw(store.path) as c:
        c.execute("UPDATE questionnaire SET status = 'en_cours' WHERE uuid = ?", (sent,))
    with pytest.raises(NotDeletable):
        store.delete(sent)
    assert store.get(sent).uuid == sent
    with pytest.raises(NotFound):
        store.delete("0000")


# --- transmission ----------------------------------------------------------------------------


def test_transmit_freezes_one_version_one_outbox_row_and_the_status(store: Store) -> None:
    uuid = official_complete(
        store,
        siret="732 829 320 00074",  # kept as typed in the draft, compact in the version
        statut_autre="Ne devrait pas partir",  # hidden: statut_structure is 'associatif'
        bonus_parents_criteres=["projet_parents"],  # hidden: bonus_parents is false
    )
    other = official_complete(store)
    version_id = store.transmit(uuid)

    info = store.get(uuid)
    assert (info.status, info.status.label) == (Status.A_ENVOYER, "À envoyer")
    assert info.status_changed_at >= info.created_at
    [version] = store.versions(uuid)
    expected = {**complete_answers(), "siret": sample_answers.SIRET}
    assert version.version_id == version_id
    assert version.answers == expected
    assert version.author == "partner"
    assert version.base_version_id is None
    # The draft keeps what was typed, hidden answers included.
    assert store.answers(uuid)["statut_autre"] == "Ne devrait pas partir"

    assert count(store.path, "version") == 1
    assert count(store.path, "outbox") == 1
    with raw(store.path) as c:
        op_id, state, body, attempts = c.execute(
            "SELECT op_id, state, body, attempts FROM outbox WHERE questionnaire_uuid = ?", (uuid,)
        ).fetchone()
    assert (op_id, state, attempts) == (version_id, "pending", 0)
    frozen = json.loads(body)
    assert frozen["answers"] == expected
    assert (frozen["form_id"], frozen["form_version"], frozen["base_version_id"]) == ("clas-2024-2025", 1, None)
    assert frozen["payload_sha256"] == version.payload_sha256
    assert frozen["payload_sha256"] == payload_sha256(
        base_version_id=None, form_id="clas-2024-2025", form_version=1, answers=expected, attachments=[]
    )
    assert store.get(other).status == Status.EN_COURS


def test_transmitted_attachment_is_listed(store: Store) -> None:
    uuid = official_complete(store, document_complementaire=dict(sample_answers.DOCUMENT))
    store.transmit(uuid)
    with raw(store.path) as c:
        body = json.loads(c.execute("SELECT body FROM outbox").fetchone()[0])
    assert body["attachments"] == [sample_answers.DOCUMENT]


def test_transmit_refuses_an_incomplete_questionnaire(store: Store) -> None:
    uuid = official_complete(store, bilan_qualitatif="", nb_familles=31)
    with pytest.raises(NotTransmittable) as refused:
        store.transmit(uuid)
    assert str(refused.value) == "Le questionnaire ne peut pas être transmis : 2 points à compléter ou corriger."
    assert [i.question_id for i in refused.value.evaluation.blocking] == ["nb_familles", "bilan_qualitatif"]
    assert store.get(uuid).status == Status.EN_COURS
    assert (count(store.path, "version"), count(store.path, "outbox")) == (0, 0)


@pytest.mark.parametrize("failing", ["outbox_insert", "status_update"])
def test_transmit_is_atomic(store: Store, failing: str) -> None:
    """A failure at any step of a transmission leaves nothing of it: no version, no outbox row, still a draft."""
    uuid = official_complete(store)
    trigger = {
        "outbox_insert": "BEFORE INSERT ON outbox",
        "status_update": "BEFORE UPDATE OF status ON questionnaire",
    }[failing]
    with raw(store.path) as c:
        c.execute(f"CREATE TRIGGER panne {trigger} BEGIN SELECT RAISE(ABORT, 'panne simulée'); END")
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="panne simulée"):
        store.transmit(uuid)
    assert store.get(uuid).status == Status.EN_COURS
    assert store.versions(uuid) == []
    assert (count(store.path, "version"), count(store.path, "outbox")) == (0, 0)
    with raw(store.path) as c:
        c.execute("DROP TRIGGER panne")
    store.transmit(uuid)
    assert (count(store.path, "version"), count(store.path, "outbox")) == (1, 1)


# --- the file --------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_files_are_private(data_dir: Path, registry: FormRegistry) -> None:
    previous = os.umask(0)  # the most permissive umask: the store must not rely on it
    try:
        opened = Store.open(data_dir, registry)
        try:
            uuid = essai_draft(opened, q_text="secret")
            opened.set_answer(uuid, "q_integer", 3)
            db = data_dir / DB_FILE_NAME
            assert _mode(db) == 0o600
            assert _mode(data_dir) == 0o700
            companions = [Path(f"{db}-wal"), Path(f"{db}-shm")]
            assert any(p.exists() for p in companions)  # WAL: written while the store is open
            for companion in companions:
                if companion.exists():
                    assert _mode(companion) == 0o600, companion.name
        finally:
            opened.close()
    finally:
        os.umask(previous)


def test_an_existing_readable_file_is_made_private(data_dir: Path, registry: FormRegistry) -> None:
    Store.open(data_dir, registry).close()
    db = data_dir / DB_FILE_NAME
    db.chmod(0o644)
    Store.open(data_dir, registry).close()
    assert _mode(db) == 0o600


def test_connections_use_wal_and_full_sync(store: Store) -> None:
    essai_draft(store)  # a write first, through the store's own connections
    connections = [store.engine.connect() for _ in range(3)]  # several pooled connections at once
    try:
        for connection in connections:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA busy_timeout").scalar() >= 1000
    finally:
        for connection in connections:
            connection.close()
    with raw(store.path) as c:  # WAL is a property of the file, seen by any reader
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_deleting_a_questionnaire_cascades(store: Store) -> None:
    uuid = essai_draft(store, **EVERY_TYPE)
    store.delete(uuid)
    assert count(store.path, "answer") == 0


# --- schema upgrades -------------------------------------------------------------------------

Q_DRAFT = "11111111-1111-4111-8111-111111111111"
Q_SENT = "22222222-2222-4222-8222-222222222222"
V_SENT = "33333333-3333-4333-8333-333333333333"
T0 = "2025-09-12T18:30:00.000000+00:00"

# Data written as each schema version allows, in plain SQL of that version (the newest seed at or
# below a version is used for it). When a step changes existing tables, add a seed for it.
SEEDS: dict[int, list[tuple[str, tuple[Any, ...]]]] = {
    1: [
        ("INSERT INTO profile VALUES (1, ?, ?)", (json.dumps({"q_text": "Réussir Ensemble"}), T0)),
        (
            "INSERT INTO questionnaire VALUES (?, 'clas-essai', 1, 'Brouillon d''essai', 'en_cours', ?, 'p_action',"
            " NULL, ?, ?)",
            (Q_DRAFT, T0, T0, T0),
        ),
        (
            "INSERT INTO questionnaire VALUES (?, 'clas-essai', 1, 'Transmis d''essai', 'a_envoyer', ?, NULL,"
            " NULL, ?, ?)",
            (Q_SENT, T0, T0, T0),
        ),
        ("INSERT INTO answer VALUES (?, 'q_text', ?, ?)", (Q_DRAFT, json.dumps("Réussir Ensemble"), T0)),
        ("INSERT INTO answer VALUES (?, 'q_integer', '30', ?)", (Q_DRAFT, T0)),
        ("INSERT INTO answer VALUES (?, 'q_matrix', ?, ?)", (Q_DRAFT, json.dumps({"aide": "souvent"}), T0)),
        ("INSERT INTO answer VALUES (?, 'q_yes_no', 'true', ?)", (Q_SENT, T0)),
        (
            "INSERT INTO version VALUES (?, ?, NULL, 'partner', 'clas-essai', 1, ?, ?, NULL, ?)",
            (V_SENT, Q_SENT, json.dumps({"q_yes_no": True}), "ab" * 32, T0),
        ),
        (
            "INSERT INTO outbox VALUES (?, ?, ?, 'pending', ?, 2, NULL, 'timeout', 'Délai dépassé', ?, ?)",
            (V_SENT, Q_SENT, V_SENT, json.dumps({"answers": {"q_yes_no": True}}), T0, T0),
        ),
        (
            "INSERT INTO notice VALUES ('n1', ?, ?, 'q_yes_no', 'Précisez, s''il vous plaît.', 'open', ?, NULL)",
            (Q_SENT, V_SENT, T0),
        ),
        ("INSERT INTO attachment VALUES (?, 'bilan.pdf', 10, 'application/pdf', ?)", ("cd" * 32, T0)),
        ("INSERT INTO syncstate VALUES ('cursor', 'c-42')", ()),
    ],
}


def _seed(path: Path, version: int) -> None:
    chosen = max(v for v in SEEDS if v <= version)
    with raw(path) as c:
        c.execute("BEGIN")
        for sql, params in SEEDS[chosen]:
            c.execute(sql, params)
        c.execute("COMMIT")


def _affinity(declared: str) -> str:
    """SQLite's type affinity (VARCHAR and TEXT are the same to it)."""
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(k in declared for k in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if any(k in declared for k in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _describe_schema(engine: sqlalchemy.Engine) -> dict[str, Any]:
    inspector = sqlalchemy.inspect(engine)
    described = {}
    for table in inspector.get_table_names():
        described[table] = {
            "columns": sorted(
                (c["name"], _affinity(str(c["type"])), bool(c["nullable"])) for c in inspector.get_columns(table)
            ),
            "primary_key": sorted(inspector.get_pk_constraint(table)["constrained_columns"]),
            "foreign_keys": _foreign_keys(engine, table),
            "indexes": sorted((tuple(i["column_names"]), bool(i["unique"])) for i in inspector.get_indexes(table)),
        }
    return described


def _foreign_keys(engine: sqlalchemy.Engine, table: str) -> list[tuple[Any, ...]]:
    """From SQLite itself: the inspector misses ON DELETE written as a column constraint."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})").all()
    return sorted((r.table, r._mapping["from"], r.to, r.on_delete) for r in rows)


def _expected_schema(tmp_path: Path) -> dict[str, Any]:
    """The schema the models of forms/store/schema.py describe (other modules' SQLModel tables left out)."""
    tables = [
        cls.__table__  # type: ignore[attr-defined]
        for cls in vars(store_schema).values()
        if isinstance(cls, type) and issubclass(cls, SQLModel) and cls.__module__ == store_schema.__name__
        and hasattr(cls, "__table__")
    ]  # fmt: skip
    engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'reference.sqlite3'}")
    try:
        SQLModel.metadata.create_all(engine, tables=tables)
        return _describe_schema(engine)
    finally:
        engine.dispose()


def test_seeds_cover_the_schema() -> None:
    assert min(SEEDS) == 1
    assert max(SEEDS) <= LATEST


@pytest.mark.parametrize("start", range(LATEST))
def test_upgrade_from_every_earlier_schema(tmp_path: Path, registry: FormRegistry, start: int) -> None:
    path = tmp_path / DB_FILE_NAME
    engine = open_engine(path)
    try:
        assert upgrade(engine, target=start) == start
        assert schema_version(engine) == start
    finally:
        engine.dispose()
    if start >= 1:
        _seed(path, start)
    before = {t: count(path, t) for t in _seed_tables()} if start >= 1 else {}

    upgraded = Store(path, registry)
    try:
        assert schema_version(upgraded.engine) == LATEST
        assert _describe_schema(upgraded.engine) == _expected_schema(tmp_path)
        assert upgraded.integrity_ok()
        for table, rows in before.items():
            assert count(path, table) == rows, table
        if start >= 1:
            _check_seeded_data(upgraded)
        # The upgraded store works as a new one does.
        uuid = essai_draft(upgraded, **EVERY_TYPE)
        assert upgraded.answers(uuid) == EVERY_TYPE
    finally:
        upgraded.close()
    # Upgrading again changes nothing.
    again = Store(path, registry)
    try:
        assert schema_version(again.engine) == LATEST
    finally:
        again.close()


def _seed_tables() -> list[str]:
    return sorted({sql.split()[2] for sql, _ in SEEDS[1]})


def _check_seeded_data(store: Store) -> None:
    assert store.profile() == {"q_text": "Réussir Ensemble"}
    draft = store.get(Q_DRAFT)
    assert (draft.title, draft.status, draft.current_page) == ("Brouillon d'essai", Status.EN_COURS, "p_action")
    assert store.answers(Q_DRAFT) == {"q_text": "Réussir Ensemble", "q_integer": 30, "q_matrix": {"aide": "souvent"}}
    sent = store.get(Q_SENT)
    assert sent.status == Status.A_ENVOYER
    [version] = store.versions(Q_SENT)
    assert (version.version_id, version.answers) == (V_SENT, {"q_yes_no": True})
    [notice] = store.notices(Q_SENT)
    assert (notice.question_id, notice.message, notice.status) == ("q_yes_no", "Précisez, s'il vous plaît.", "open")
    with raw(store.path) as c:
        assert c.execute("SELECT attempts, last_error_message FROM outbox").fetchone() == (2, "Délai dépassé")
        assert c.execute("SELECT value FROM syncstate WHERE key = 'cursor'").fetchone() == ("c-42",)
    store.set_answer(Q_DRAFT, "q_integer", 31)  # still editable after the upgrade
    assert store.answers(Q_DRAFT)["q_integer"] == 31


def test_a_failed_upgrade_changes_nothing(tmp_path: Path, registry: FormRegistry) -> None:
    """The steps run in one transaction: a file at version 0 with a clashing table stays at version 0."""
    path = tmp_path / DB_FILE_NAME
    with raw(path) as c:
        c.execute("CREATE TABLE outbox (autre_chose TEXT)")
    with pytest.raises(sqlalchemy.exc.OperationalError):
        Store(path, registry)
    with raw(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 0
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"outbox"}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_file_from_a_newer_version_is_refused_untouched(tmp_path: Path, registry: FormRegistry) -> None:
    path = tmp_path / DB_FILE_NAME
    newer = Store(path, registry)
    uuid = essai_draft(newer, **EVERY_TYPE)
    newer.close()
    with raw(path) as c:  # what a future Bilan Clas would have written
        c.execute(f"PRAGMA user_version = {LATEST + 1}")
        c.execute("CREATE TABLE future_feature (x TEXT)")
        c.execute("INSERT INTO future_feature VALUES ('précieux')")
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    fingerprint = _digest(path)

    with pytest.raises(SchemaTooNew) as refused:
        Store(path, registry)
    message = str(refused.value)
    assert "Bilan Clas" in message, message  # a French sentence the user can act on, not a bare number
    assert _digest(path) == fingerprint
    with raw(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1
        assert c.execute("SELECT x FROM future_feature").fetchone() == ("précieux",)
        assert c.execute("SELECT count(*) FROM answer WHERE questionnaire_uuid = ?", (uuid,)).fetchone()[0] == len(
            EVERY_TYPE
        )


# --- concurrency and durability --------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from forms.registry import FormRegistry
    from forms.store import Store

    path, uuid, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = Store(path, FormRegistry.load(Path("tests/data/forms")))
    for n in range(1, rounds + 1):
        # Two answers that must always be seen together: one transaction.
        store.replace_answers(uuid, {"q_integer": n, "q_integer_part": n, "q_text": "tour " + str(n)})
        if n == 1:
            print("started", flush=True)
    print("done", flush=True)
    """
)


def test_a_reader_sees_consistent_snapshots_while_a_writer_writes(store: Store) -> None:
    watched = essai_draft(store)
    mine = essai_draft(store)
    rounds = 300
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(store.path), watched, str(rounds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "started"
        seen: list[int] = []
        own_writes = 0
        while writer.poll() is None:
            snapshot = store.answers(watched)
            n = snapshot["q_integer"]
            assert snapshot == {"q_integer": n, "q_integer_part": n, "q_text": f"tour {n}"}
            assert not seen or n >= seen[-1]  # never back in time
            seen.append(n)
            if len(seen) % 10 == 0:  # this process writes too, on another questionnaire
                own_writes += 1
                store.set_answer(mine, "q_integer", own_writes)
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, err
    assert "locked" not in err
    assert out.strip() == "done"
    assert len(set(seen)) >= 2, "the reader should have seen the writer progress"
    assert store.answers(watched)["q_integer"] == rounds
    assert store.answers(mine).get("q_integer") == (own_writes or None)


_DURABLE_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from forms.registry import FormRegistry
    from forms.store import Store

    path, uuid = Path(sys.argv[1]), sys.argv[2]
    store = Store(path, FormRegistry.load(Path("tests/data/forms")))
    log = []
    for n in range(400):
        log.append(str(n))
        store.set_answer(uuid, "q_long_text", " ".join(log))
        store.set_answer(uuid, "q_integer", n)
        print(n, flush=True)  # the acknowledgement: both writes above have returned
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("attempt", range(3))
def test_acknowledged_writes_survive_kill_9(data_dir: Path, registry: FormRegistry, attempt: int) -> None:
    setup = Store.open(data_dir, registry)
    uuid = essai_draft(setup)
    path = setup.path
    setup.close()
    acks_before_kill = random.Random().randint(20, 60)
    child = subprocess.Popen(
        [sys.executable, "-c", _DURABLE_WRITER, str(path), uuid],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked: list[int] = []
    try:
        assert child.stdout is not None
        while len(acked) < acks_before_kill:
            line = child.stdout.readline()
            assert line, f"the writer stopped early: {child.stderr.read() if child.stderr else ''}"
            acked.append(int(line))
        child.kill()  # SIGKILL, in the middle of whatever it is doing
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -9

    with raw(path) as c:
        assert c.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reopened = Store(path, registry)
    try:
        answers = reopened.answers(uuid)
        logged = [int(n) for n in answers["q_long_text"].split()]
        assert logged[: len(acked)] == acked, (acks_before_kill, logged[-3:])
        assert logged == list(range(len(logged)))  # nothing half-written
        assert answers["q_integer"] >= acked[-1]
        assert reopened.integrity_ok()
    finally:
        reopened.close()


def test_titles_are_trimmed_and_must_be_storable(store: Store) -> None:
    uuid = store.create(form_id=ESSAI, title="  Clas des Églantiers  ").uuid
    assert store.get(uuid).title == "Clas des Églantiers"
    with pytest.raises(InvalidAnswer, match="Titre illisible"):
        store.create(form_id=ESSAI, title="Clas \udcff")  # what an undecodable command-line byte becomes
    with pytest.raises(InvalidAnswer, match="Titre illisible"):
        store.rename(uuid, "\ud800")
    with pytest.raises(InvalidAnswer, match="Titre illisible"):
        store.replace_answers(uuid, {"q_integer": 3}, title="\ud800")
    assert [(q.title, store.answers(q.uuid)) for q in store.list()] == [("Clas des Églantiers", {})]
