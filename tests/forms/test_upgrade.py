"""A draft moves to a newer version of its definition (issue 12 items 4, 7, 9): by question id, renamed
ids follow `replaces`, removed ones are archived and still exported; a frozen one never moves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli import main
from forms.exchange import export_document
from forms.registry import FormRegistry
from forms.store import NotEditable, Store, UnknownForm
from forms.upgrade import migrate, newer_version
from tests.conftest import TEST_FORMS
from tests.forms.sample_answers import complete_answers

CAMPAIGNS = TEST_FORMS / "campagnes"
ESSAI = "clas-essai-2025-2026"


@pytest.fixture
def years(data_dir: Path) -> Iterator[Store]:
    opened = Store.open(data_dir, FormRegistry.load(CAMPAIGNS))
    yield opened
    opened.close()


def _draft_v1(store: Store) -> str:
    answers = complete_answers()
    answers["numero_voie"] = "12 bis"  # removed in v2
    return store.create(form_id=ESSAI, form_version=1, title="Action des Lilas", answers=answers).uuid


def test_a_migrated_drafts_export_still_holds_every_answer(years: Store) -> None:
    uuid = _draft_v1(years)
    before = years.answers(uuid)
    assert newer_version(years, years.get(uuid)) == years.registry.get(ESSAI, 2)  # offered
    assert years.get(uuid).form_version == 1  # never silently

    done = migrate(years, uuid)
    assert (done.from_version, done.to_version) == (1, 2)
    assert done.renamed == [("commune", "nom_commune")]
    assert done.archived == ["numero_voie"]
    assert set(done.moved) == set(before) - {"commune", "numero_voie"}
    assert years.get(uuid).form_version == 2
    assert years.definition(uuid).version == 2
    assert newer_version(years, years.get(uuid)) is None

    exported = export_document(years, uuid)
    held = dict(exported["answers"])
    held["commune"] = held.pop("nom_commune")
    for archived in exported["archived_answers"]:
        held[archived["question_id"]] = archived["value"]
    assert held == before  # every answer it held, not one word lost
    assert exported["archived_answers"][0]["form_version"] == 1
    years.set_answer(uuid, "nb_seances_vacances", 4)  # the new question works


def test_a_frozen_questionnaire_never_changes_definition(years: Store) -> None:
    uuid = years.create(form_id=ESSAI, form_version=1, title="Complet", answers=complete_answers()).uuid
    years.transmit(uuid)
    assert newer_version(years, years.get(uuid)) is None
    with pytest.raises(NotEditable, match="À envoyer"):
        migrate(years, uuid)
    assert years.get(uuid).form_version == 1
    assert years.versions(uuid)[0].answers == years.answers(uuid)


def test_refusals(years: Store) -> None:
    uuid = _draft_v1(years)
    with pytest.raises(UnknownForm):
        migrate(years, uuid, to_version=9)
    migrate(years, uuid)
    with pytest.raises(NotEditable, match="version plus récente"):
        migrate(years, uuid, to_version=1)


def test_cli_migrate_json(years: Store, data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    uuid = _draft_v1(years)
    forms = data_dir / "forms"
    forms.mkdir(exist_ok=True)
    for path in CAMPAIGNS.glob("*.json"):
        (forms / path.name).write_bytes(path.read_bytes())
    capsys.readouterr()
    assert main(["migrate", uuid, "--to-version", "2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["renamed"] == [{"from": "commune", "to": "nom_commune"}]
    assert printed["archived"] == ["numero_voie"]
    assert "siret" in printed["moved"]
    assert main(["export", uuid]) == 0
    assert json.loads(capsys.readouterr().out)["archived_answers"][0]["question_id"] == "numero_voie"
