"""The validated fiche Structure reaches the partner's app (issue 14 item 5): after « Valider la fiche
Structure » in the review API, the partner's sync receives a `structure.locked` change; the store then
refuses an edit of a locked field in French, in every questionnaire of that campaign, one created after
the lock included (prefilled with what the Caf validated, and accepted by the server). An older client
that does not ask for the new kind never receives it."""

from __future__ import annotations

import pytest

from forms.definition import FormDefinition
from forms.lifecycle import Status
from forms.store import InvalidAnswer, Store
from sync import account
from sync import protocol as p
from sync.engine import Synchroniser
from sync.server.structure import locked_questions
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import Client
from tests.sync.support import LiveServer, fill_and_transmit

LOCKED = (
    "« Nom de la structure » : la fiche Structure est validée par la Caf, cette réponse ne peut plus être modifiée."
)


def _sync(store: Store) -> str:
    return Synchroniser(store, account.connected_client(store)).run().text()


def _post(reviewer: Client, qid: str, action: str) -> None:
    answer = reviewer.post(f"/review/questionnaires/{qid}/{action}")
    assert answer.status_code == 200, answer.text


def _definition(store: Store) -> FormDefinition:
    return store.registry.get(FORM_ID)


def test_the_validated_fiche_structure_is_read_only_in_the_partners_store(
    client_store: Store, reviewer: Client
) -> None:
    [qid] = fill_and_transmit(client_store, 1)
    _sync(client_store)
    _post(reviewer, qid, "return")
    _sync(client_store)
    assert client_store.get(qid).status is Status.A_CORRIGER
    # Negative control: before the validation the partner may change the fiche Structure.
    client_store.set_answer(qid, "nom_structure", "Association Réussir Ensemble")
    client_store.set_answer(qid, "nom_structure", complete_answers()["nom_structure"])
    assert client_store.structure_lock(qid) is None

    _post(reviewer, qid, "validate-structure")
    assert _sync(client_store) == "Fiche Structure validée par la Caf."
    lock = client_store.structure_lock(qid)
    assert lock is not None
    expected = {q.id for q in locked_questions(_definition(client_store))}
    assert lock.question_ids == expected
    assert "nom_structure" in expected
    assert "numero_sias" not in expected
    assert lock.sentence().startswith("Fiche Structure validée par la Caf le ")
    with pytest.raises(InvalidAnswer) as refused:
        client_store.set_answer(qid, "nom_structure", "Autre nom")
    assert str(refused.value) == LOCKED
    assert client_store.answers(qid)["nom_structure"] == complete_answers()["nom_structure"]
    # The fiche Action stays the partner's to correct.
    client_store.set_answer(qid, "lieu_action", "Maison de quartier du Biollay")
    # A second sync changes nothing and says nothing more about it.
    assert _sync(client_store) == "Tout est à jour."


def test_an_older_client_never_receives_the_change(client_store: Store, partner: Client, reviewer: Client) -> None:
    [qid] = fill_and_transmit(client_store, 1)
    _sync(client_store)
    _post(reviewer, qid, "validate-structure")
    older, _ = partner.all_changes()  # no `accept`: what a client of before this change asks
    assert p.STRUCTURE_LOCKED_CHANGE not in {c.type for c in older}
    answer = partner.get("/changes", params={"accept": "notice.reply,structure.locked"})
    page = p.ChangesPage.model_validate_json(answer.content)
    [locked] = [c for c in page.changes if c.type == p.STRUCTURE_LOCKED_CHANGE]
    data = locked.parsed()
    assert isinstance(data, p.StructureLockedData)
    assert (str(locked.questionnaire_id), data.form_id) == (qid, FORM_ID)
    assert data.answers["nom_structure"] == complete_answers()["nom_structure"]
    assert "numero_sias" not in data.question_ids


def test_a_questionnaire_created_after_the_lock_is_locked_and_accepted(
    client_store: Store, reviewer: Client, live_server: LiveServer
) -> None:
    [qid] = fill_and_transmit(client_store, 1)
    _sync(client_store)
    _post(reviewer, qid, "validate-structure")
    _sync(client_store)
    client_store.save_profile({"nom_structure": "Un ancien nom dans le profil"})

    later = client_store.create(form_id=FORM_ID, title="Nouvelle action")
    assert client_store.structure_lock(later.uuid) is not None
    assert client_store.answers(later.uuid)["nom_structure"] == complete_answers()["nom_structure"]  # not the profile
    with pytest.raises(InvalidAnswer, match="la fiche Structure est validée par la Caf"):
        client_store.set_answer(later.uuid, "email", "autre@exemple.fr")
    # Filled in and transmitted: the server accepts it, the locked answers being those it validated.
    answers = complete_answers() | {"lieu_action": "Gymnase des Combes"}
    for question_id, value in answers.items():
        if question_id not in {"numero_sias", *client_store.structure_lock(later.uuid).question_ids}:  # type: ignore[union-attr]
            client_store.set_answer(later.uuid, question_id, value)
    client_store.transmit(later.uuid)
    result = Synchroniser(client_store, account.connected_client(client_store)).run()
    assert (result.sent, result.refused) == (1, [])
    assert client_store.get(later.uuid).status is Status.TRANSMIS
