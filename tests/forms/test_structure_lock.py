"""The local side of « Fiche Structure validée par la Caf » (forms/store/locks.py), on a real SQLite file:
the lock arrives as a feed change applied with its page; it is per campaign (form id), so a duplicate in
the campaign is locked and a bilan carried over to another campaign is not; an import keeps the locked
answers; a draft's edit made before the lock is put back, on arrival and at transmission."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from forms.carry import start_from
from forms.registry import FormRegistry
from forms.store import InvalidAnswer, Store
from forms.store.locks import RemoteStructureLock
from forms.store.remote import Remote
from tests.conftest import TEST_FORMS
from tests.forms.sample_answers import FORM_ID, complete_answers

NEXT_CAMPAIGN = "clas-essai-2025-2026"
LOCKED_IDS = ("nom_caf", "nom_structure", "statut_structure", "email", "siret", "siren", "numero_organisme")
VALIDATED = {k: complete_answers()[k] for k in LOCKED_IDS}


@pytest.fixture
def registry() -> FormRegistry:
    """The official campaign and a test definition of the next one (same fiche Structure ids)."""
    return FormRegistry.load(TEST_FORMS / "campagnes")


@pytest.fixture
def local(data_dir: Path, registry: FormRegistry) -> Iterator[Store]:
    opened = Store.open(data_dir, registry)
    yield opened
    opened.close()


def _lock(store: Store, qid: str, form_id: str = FORM_ID) -> str:
    change = RemoteStructureLock(qid, form_id, "2026-11-12T09:30:00+00:00", LOCKED_IDS, dict(VALIDATED))
    return Remote(store).apply([change], "cursor-1").text()


def test_the_lock_holds_for_the_campaign_not_for_the_next_one(local: Store) -> None:
    first = local.create(form_id=FORM_ID, title="Action 1", answers=complete_answers()).uuid
    assert _lock(local, first) == "fiche Structure validée par la Caf"
    assert _lock(local, first) == ""  # a replay (after a cursor reset) changes and says nothing
    lock = local.structure_lock(first)
    assert lock is not None
    assert lock.question_ids == frozenset(LOCKED_IDS)
    assert lock.sentence() == (
        "Fiche Structure validée par la Caf le 12/11/2026 : ces réponses ne peuvent plus être modifiées."
    )
    with pytest.raises(InvalidAnswer, match="^« Votre mail » : la fiche Structure est validée"):
        local.set_answer(first, "email", "autre@exemple.fr")

    # Duplicated in the same campaign: locked too (the lock is the organisation's for the campaign).
    copy, _ = start_from(local, first, form_id=FORM_ID, title="Action 1 (copie)")
    assert local.structure_lock(copy.uuid) is not None
    with pytest.raises(InvalidAnswer):
        local.set_answer(copy.uuid, "nom_structure", "Autre nom")

    # Carried over to the next campaign: the answers come, the lock does not.
    following, carried = start_from(local, first, form_id=NEXT_CAMPAIGN, title="Action 1 — l'an prochain")
    assert "nom_structure" in carried.carried
    assert local.structure_lock(following.uuid) is None
    local.set_answer(following.uuid, "nom_structure", "Association Réussir Ensemble")  # editable
    assert local.answers(following.uuid)["nom_structure"] == "Association Réussir Ensemble"


def test_a_drafts_earlier_edit_is_put_back_and_an_import_keeps_the_locked_answers(local: Store) -> None:
    draft = local.create(form_id=FORM_ID, title="Action 2", answers=complete_answers()).uuid
    local.set_answer(draft, "nom_structure", "Changé avant la validation")
    _lock(local, draft)
    assert local.answers(draft)["nom_structure"] == VALIDATED["nom_structure"]  # what the server holds

    imported = complete_answers() | {"nom_structure": "Nom d'un fichier importé", "lieu_action": "Gymnase"}
    local.replace_answers(draft, imported)
    answers = local.answers(draft)
    assert (answers["nom_structure"], answers["lieu_action"]) == (VALIDATED["nom_structure"], "Gymnase")


def test_a_transmission_carries_the_locked_answers_as_validated(local: Store) -> None:
    draft = local.create(form_id=FORM_ID, title="Action 3", answers=complete_answers()).uuid
    _lock(local, draft)
    # Written behind the store's back (as an edit made on a copy of the file before the lock would be).
    with local._write() as c:
        c.exec_driver_sql(
            "UPDATE answer SET value = '\"Nom écrit ailleurs\"' WHERE questionnaire_uuid = ? AND question_id = ?",
            (draft, "nom_structure"),
        )
    local.transmit(draft)
    [version] = local.versions(draft)
    assert version.answers["nom_structure"] == VALIDATED["nom_structure"]


def test_check_tells_a_point_held_by_the_lock_from_one_to_fix(local: Store, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.cli import main

    first = local.create(form_id=FORM_ID, title="Action 4", answers=complete_answers()).uuid
    change = RemoteStructureLock(
        first, FORM_ID, "2026-11-12T09:30:00+00:00", LOCKED_IDS, {k: v for k, v in VALIDATED.items() if k != "email"}
    )
    Remote(local).apply([change], "cursor-1")
    later = local.create(form_id=FORM_ID, title="Action 5").uuid  # starts from the validated answers: no e-mail
    capsys.readouterr()
    assert main(["check", later]) != 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Fiche Structure validée par la Caf le 12/11/2026 : ces réponses ne peuvent plus être modifiées."
    assert "; 1 réponse de la fiche Structure validée, à voir avec la Caf." in lines[1]
    assert any(
        line.startswith("- À voir avec la Caf (fiche Structure validée) · ") and "Votre mail" in line for line in lines
    )
    assert any(line.startswith("- À faire · ") for line in lines)  # the fiche Action stays the partner's to fill
    assert not any(line.startswith("- À faire · ") and "Votre mail" in line for line in lines)

    main(["check", later, "--json"])
    report = json.loads(capsys.readouterr().out)
    assert set(report["structure_locked"]["question_ids"]) == set(LOCKED_IDS)
    assert {p["question_id"] for p in report["problems"] if p["locked"]} == {"email"}


def test_the_same_value_again_is_no_change(local: Store) -> None:
    first = local.create(form_id=FORM_ID, title="Action 6", answers=complete_answers()).uuid
    _lock(local, first)
    local.set_answer(first, "nom_structure", VALIDATED["nom_structure"])  # as a script filling every field does
    with pytest.raises(InvalidAnswer):
        local.set_answer(first, "nom_structure", None)  # clearing it is a change
    assert local.answers(first)["nom_structure"] == VALIDATED["nom_structure"]
