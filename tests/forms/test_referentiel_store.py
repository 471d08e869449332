"""Auto-diagnostic answers stay on this computer; Caf-only answers come from the Caf only (store side)."""

from __future__ import annotations

import json

import pytest

from forms.store import InvalidAnswer, Store
from forms.store.outbox import Outbox
from tests.forms import sample_answers
from tests.forms.sample_answers import complete_answers

DIAGNOSTIC = {"diag_zone_rurale": True, "diag_intervenants_par_seance": 1, "diag_coordinateur_bac2": False}


def test_auto_diagnostic_answers_are_kept_locally_and_never_transmitted(store: Store) -> None:
    uuid = store.create(form_id=sample_answers.FORM_ID, title="Diagnostic", answers=complete_answers()).uuid
    for qid, value in DIAGNOSTIC.items():
        store.set_answer(uuid, qid, value)  # never required, never blocking: saved like any answer
    assert store.evaluate(uuid).transmittable
    store.transmit(uuid)
    version = store.versions(uuid)[-1]
    assert version.answers == complete_answers()  # the version holds none of them
    assert {k: store.answers(uuid)[k] for k in DIAGNOSTIC} == DIAGNOSTIC  # ... this computer keeps them
    items = Outbox(store).items(uuid)
    assert len(items) == 1
    sent = json.loads(items[0].body)  # the exact bytes that will be sent
    assert sent["answers"] == complete_answers()
    assert not any(qid in items[0].body for qid in DIAGNOSTIC)


def test_the_partner_cannot_set_a_caf_only_answer(store: Store) -> None:
    uuid = store.create(form_id=sample_answers.FORM_ID, title="Sias", answers=complete_answers()).uuid
    with pytest.raises(InvalidAnswer, match="« Numéro Sias » est rempli par la Caf : vous ne pouvez pas le modifier"):
        store.set_answer(uuid, "numero_sias", "7300012345")
    # An imported file or the structure profile never brings one either.
    imported = store.create(
        form_id=sample_answers.FORM_ID, title="Import", answers={**complete_answers(), "numero_sias": "1"}
    ).uuid
    assert "numero_sias" not in store.answers(imported)
    store.save_profile({**sample_answers.structure_profile(), "numero_sias": "1"})
    prefilled = store.create(form_id=sample_answers.FORM_ID, title="Profil").uuid
    assert "numero_sias" not in store.answers(prefilled)
    assert store.answers(prefilled)["nom_structure"] == complete_answers()["nom_structure"]
