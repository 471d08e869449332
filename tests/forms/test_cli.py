"""`bilan-clas` end to end, in a private data folder, through real subprocesses (DESIGN §8).

Exit statuses (desktop/cli.py): 0 success; 1 not transmittable; 2 usage error; 3 any other refusal.
Every refusal is one French line on stderr, never a traceback.

Each path of the brief runs at least once through a real process (`cli`); variants of the same
path, and set-up steps, run `desktop.cli.main` in this process (`run`), which is much faster.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from forms.definition import load_definition, parse_definition
from forms.store import DB_FILE_NAME
from forms.store.migrations import LATEST
from tests.forms import sample_answers
from tests.forms.conftest import ESSAI_V1_PATH, OFFICIAL_PATH
from tests.forms.sample_answers import complete_answers

ROOT = Path(__file__).resolve().parents[2]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def uuid(self) -> str:
        value = self.out.strip()
        assert UUID.match(value), (self.out, self.err)
        return value


def cli(*args: str) -> Result:
    """Run `bilan-clas ARGS` with the test's BILAN_CLAS_HOME (set by the data_dir fixture)."""
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        timeout=60,
        env={**os.environ, "PYTHONUTF8": "1"},
    )
    return Result(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """`bilan-clas ARGS` in this process: same code path as the console script, minus the interpreter start."""

    def run_main(*args: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exit_:  # argparse's usage errors
            code = int(exit_.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run_main


def assert_refused(result: Result, code: int, *fragments: str) -> str:
    """One French line on stderr, nothing on stdout, the documented exit status."""
    assert result.code == code, result
    assert "Traceback" not in result.err, result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    line = lines[0]
    assert re.match(r"^bilan-clas( [a-z]+)? : ", line), line
    for fragment in fragments:
        assert fragment in line, line
    assert result.out == ""
    return line


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


# --- the happy path --------------------------------------------------------------------------

Runner = Callable[..., Result]


def test_new_import_check_transmit_export(data_dir: Path, tmp_path: Path, run: Runner) -> None:
    created = cli("new", "--form", "clas-2024-2025", "--title", "Clas des Hauts-de-Chambéry")
    assert created.code == 0, created
    uuid = created.uuid

    not_yet = run("check", uuid)
    assert not_yet.code == 1, not_yet
    assert not_yet.out.startswith("Questionnaire incomplet : ")

    document = sample_answers.import_document(uuid=uuid)
    imported = cli("import", str(write_json(tmp_path / "réponses.json", document)))
    assert (imported.code, imported.out.strip()) == (0, uuid), imported  # same questionnaire, answers replaced

    checked = cli("check", uuid, "--json")
    assert checked.code == 0, checked
    report = json.loads(checked.out)
    assert report["transmittable"] is True
    assert report["problems"] == []
    assert {p["state"] for p in report["pages"]} == {"complete"}

    sent = cli("transmit", uuid)
    assert sent.code == 0, sent
    assert "À envoyer" in sent.out

    exported_path = tmp_path / "export.json"
    exported = cli("export", uuid, "-o", str(exported_path))
    assert (exported.code, exported.out) == (0, ""), exported
    document = json.loads(exported_path.read_text(encoding="utf-8"))
    assert document["uuid"] == uuid
    assert (document["form_id"], document["form_version"]) == ("clas-2024-2025", 1)
    assert document["title"] == sample_answers.TITLE
    assert (document["status"], document["status_label"]) == ("a_envoyer", "À envoyer")
    assert document["answers"] == complete_answers()

    listed = run("list", "--json")
    assert listed.code == 0, listed
    rows = [(q["uuid"], q["status"], q["pages_complete"]) for q in json.loads(listed.out)]
    assert rows == [(uuid, "a_envoyer", "9/9")]

    # Export to stdout gives the same document; the file re-imports as a new questionnaire.
    assert json.loads(run("export", uuid).out) == document
    copy = run("import", str(write_json(tmp_path / "copie.json", {**document, "uuid": None})))
    assert copy.code == 0, copy
    assert copy.uuid != uuid
    assert run("check", copy.uuid).code == 0


def test_check_fails_with_one_missing_answer(data_dir: Path, tmp_path: Path, run: Runner) -> None:
    answers = complete_answers()
    del answers["bilan_qualitatif"]
    document = {"form_id": "clas-2024-2025", "answers": answers}
    imported = run("import", str(write_json(tmp_path / "incomplet.json", document)))
    assert imported.code == 0, imported
    uuid = imported.uuid

    checked = cli("check", uuid)
    assert checked.code == 1, checked
    assert checked.out.splitlines() == [
        "Questionnaire incomplet : 1 point à compléter ou corriger.",  # not « point(s) » (review 15)
        "- À faire · Formation, bilan qualitatif et document › Bilan qualitatif d'activité : Réponse obligatoire.",
    ]
    report = json.loads(run("check", uuid, "--json").out)
    assert report["transmittable"] is False
    assert [(p["question_id"], p["code"]) for p in report["problems"]] == [("bilan_qualitatif", "required")]

    answers["nb_familles"] = 31  # one more blocking point, and advice: the count says what it lists
    answers["semaines_janv_aout"] = 5
    second = run("import", str(write_json(tmp_path / "deux.json", {**document, "answers": answers}))).uuid
    lines = cli("check", second).out.splitlines()
    assert lines[0] == (
        "Questionnaire incomplet : 2 points à compléter ou corriger (et 1 conseil du référentiel, non bloquant)."
    )
    assert len(lines) == 4

    refused = run("transmit", uuid)
    assert refused.code == 1, refused
    assert refused.err.startswith("bilan-clas : Le questionnaire ne peut pas être transmis")
    assert "Bilan qualitatif d'activité" in refused.err
    assert json.loads(run("export", uuid).out)["status"] == "en_cours"


def test_new_prints_an_uuid_and_lists_it(data_dir: Path, run: Runner) -> None:
    uuid = run("new", "--form", "clas-2024-2025", "--title", "Atelier « Coup de pouce »").uuid
    listed = run("list")
    assert listed.code == 0
    assert uuid in listed.out
    assert "Atelier « Coup de pouce »" in listed.out
    assert "En cours" in listed.out


# --- forms -----------------------------------------------------------------------------------


def test_forms_list_and_show(data_dir: Path, run: Runner) -> None:
    (data_dir / "forms").mkdir(parents=True)
    (data_dir / "forms" / ESSAI_V1_PATH.name).write_bytes(ESSAI_V1_PATH.read_bytes())
    listed = run("forms")
    assert listed.code == 0, listed
    assert [line.split("\t")[:2] for line in listed.out.splitlines()] == [
        ["clas-essai", "version 1"],
        ["clas-2024-2025", "version 1"],
    ]
    shown = cli("forms", "show", "clas-2024-2025", "--json")
    assert shown.code == 0, shown
    printed = json.loads(shown.out)
    assert printed["id"] == "clas-2024-2025"
    assert parse_definition(printed, "sortie de forms show") == load_definition(OFFICIAL_PATH)
    essai = json.loads(run("forms", "show", "clas-essai", "--json").out)
    assert parse_definition(essai, "sortie de forms show") == load_definition(ESSAI_V1_PATH)
    text = run("forms", "show", "clas-2024-2025")
    assert "Campagne 2024-2025 : du 10/09/2025 au 15/10/2025" in text.out


# --- refusals --------------------------------------------------------------------------------

UNKNOWN = "0b7e0c2e-0000-4000-8000-000000000000"


def test_unknown_uuid(data_dir: Path, run: Runner) -> None:
    assert_refused(cli("check", UNKNOWN), 3, f"Aucun questionnaire ne porte l'identifiant {UNKNOWN}.")
    for command in ("export", "transmit"):
        assert_refused(run(command, UNKNOWN), 3, "Aucun questionnaire")


def test_malformed_json_file(data_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "abîmé.json"
    path.write_text('{"form_id": "clas-2024-2025", "answers": {', encoding="utf-8")
    assert_refused(cli("import", str(path)), 3, "JSON mal formé", "abîmé.json", "ligne 1")


def test_import_file_missing_or_without_answers(data_dir: Path, tmp_path: Path, run: Runner) -> None:
    assert_refused(run("import", str(tmp_path / "absent.json")), 3, "Fichier introuvable")
    no_answers = write_json(tmp_path / "vide.json", {"form_id": "clas-2024-2025"})
    assert_refused(run("import", str(no_answers)), 3, "answers", "champ obligatoire manquant")
    bad_uuid = write_json(tmp_path / "uuid.json", {"uuid": "pas-un-uuid", "form_id": "clas-2024-2025", "answers": {}})
    assert_refused(run("import", str(bad_uuid)), 3, "uuid", "mal formé")


def test_wrong_form_id(data_dir: Path, tmp_path: Path, run: Runner) -> None:
    document = sample_answers.import_document(form_id="clas-1999-2000")
    assert_refused(cli("import", str(write_json(tmp_path / "f.json", document))), 3, "Formulaire inconnu")
    assert_refused(run("new", "--form", "clas-1999-2000", "--title", "x"), 3, "Formulaire inconnu : clas-1999-2000")
    assert_refused(run("forms", "show", "clas-1999-2000"), 3, "Formulaire inconnu")
    # An existing questionnaire cannot be re-imported under another form.
    uuid = run("new", "--form", "clas-2024-2025", "--title", "x").uuid
    other = write_json(tmp_path / "g.json", {"uuid": uuid, "form_id": "clas-essai", "answers": {}})
    assert_refused(run("import", str(other)), 3, "clas-essai", "clas-2024-2025")
    assert [q["uuid"] for q in json.loads(run("list", "--json").out)] == [uuid]


def test_value_of_the_wrong_type(data_dir: Path, tmp_path: Path) -> None:
    document = sample_answers.import_document()
    document["answers"]["nb_enfants_inscrits"] = "trente"
    line = assert_refused(cli("import", str(write_json(tmp_path / "type.json", document))), 3)
    assert line == (
        "bilan-clas : Réponse de type inattendu pour « Nombre d'enfants inscrits » : un nombre entier attendu."
    )


@pytest.mark.parametrize(
    ("question_id", "value", "expected"),
    [
        ("qpv", "oui", "oui ou non"),
        ("ages", "ages_6_10", "une liste de choix"),
        ("etp_salaries", "0,5", "un nombre"),
        ("situations", ["quasiment_tous"], "un choix par ligne"),
        ("siret", 73282932000074, "du texte"),
        ("inconnue", 1, "Question inconnue"),
        ("commune", "Chamb\ud800ry", "caractère invalide"),
    ],
)
def test_values_of_the_wrong_type(
    data_dir: Path, tmp_path: Path, run: Runner, question_id: str, value: Any, expected: str
) -> None:
    document = sample_answers.import_document()
    document["answers"][question_id] = value
    path = tmp_path / "type.json"
    path.write_text(json.dumps(document), encoding="utf-8")  # ASCII escapes: "\ud800" stays a lone surrogate
    assert_refused(run("import", str(path)), 3, expected)
    assert json.loads(run("list", "--json").out) == []  # nothing half-imported


def test_title_that_cannot_be_stored(data_dir: Path, tmp_path: Path, run: Runner) -> None:
    path = tmp_path / "titre.json"
    path.write_text('{"form_id": "clas-2024-2025", "title": "\\udcff", "answers": {}}', encoding="utf-8")
    assert_refused(run("import", str(path)), 3, "caractère invalide")


def test_import_onto_a_transmitted_questionnaire(data_dir: Path, tmp_path: Path, run: Runner) -> None:
    uuid = run("import", str(write_json(tmp_path / "a.json", sample_answers.import_document()))).uuid
    assert run("transmit", uuid).code == 0
    changed = sample_answers.import_document(uuid=uuid)
    changed["answers"]["commune"] = "Aix-les-Bains"
    refused = cli("import", str(write_json(tmp_path / "b.json", changed)))
    assert_refused(refused, 3, "« À envoyer »", "ne peut plus être modifié")
    exported = json.loads(run("export", uuid).out)
    assert exported["answers"]["commune"] == "Chambéry"
    assert exported["status"] == "a_envoyer"
    assert_refused(run("transmit", uuid), 3, "ne peut plus être modifié")


def test_missing_required_argument_is_a_usage_error(data_dir: Path, run: Runner) -> None:
    line = assert_refused(cli("new", "--form", "clas-2024-2025"), 2, "erreur", "--title")
    assert "obligatoire" in line
    assert_refused(run("export"), 2, "UUID", "obligatoire")
    assert_refused(run("commande-inconnue"), 2, "choix invalide")
    assert_refused(run("list", "--format", "csv"), 2, "non reconnu")


def test_data_from_a_newer_version(data_dir: Path, run: Runner) -> None:
    assert run("list").code == 0  # creates the store
    connection = sqlite3.connect(data_dir / DB_FILE_NAME)
    connection.execute(f"PRAGMA user_version = {LATEST + 1}")
    connection.close()
    assert_refused(cli("list"), 3, "version plus récente de Bilan Clas")


def test_argument_that_is_not_utf8(data_dir: Path, run: Runner) -> None:
    assert_refused(run("export", "\udcff"), 3, "caractère invalide")  # what an undecodable byte becomes in argv
    assert_refused(run("new", "--form", "clas-2024-2025", "--title", "\udcff"), 3, "caractère invalide")


def test_check_names_the_missing_rows_of_a_matrix(tmp_path: Path, run: Runner) -> None:
    """Review finding 8: `check` says what the app says, from forms/ (the rows still missing)."""
    answers = {**complete_answers(), "activites": {"aide_methodologique": "chaque_seance"}}
    document = {"form_id": "clas-2024-2025", "answers": answers}
    uuid = run("import", str(write_json(tmp_path / "matrice.json", document))).uuid
    checked = cli("check", uuid)
    assert checked.code == 1, checked
    assert checked.out.splitlines()[1].endswith(
        " : Répondez pour chaque ligne du tableau (1 sur 9 renseignées). Il manque : «\u00a0Une aide au travail "
        "personnel\u00a0», «\u00a0Un accompagnement à l'usage du numérique\u00a0» et 6 autres."
    )
