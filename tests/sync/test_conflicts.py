"""Conflicts: a Caf edit pulled while the partner corrects the same questionnaire (research §4.5, §4.7 T7).

Fields changed on one side only merge by themselves; a field changed on both sides keeps both
values in a conflict row, and the questionnaire cannot be transmitted until the partner chooses.
Every version stays in the history.

Most are built at the store level (Remote.apply with RemoteVersion records, the form the sync
engine hands the store); the last one goes through the reference server, which accepts a Caf edit
on a questionnaire it has returned for correction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from forms.lifecycle import Status
from forms.store import ConflictsPending, Store
from forms.store.outbox import Outbox
from forms.store.remote import ConflictInfo, Remote, RemoteState, RemoteVersion
from sync import account
from sync.engine import Synchroniser
from sync.protocol import VersionBody
from tests.forms.sample_answers import FORM_ID, FORM_VERSION
from tests.server.conftest import Client, version_body
from tests.sync.support import dump, fill_and_transmit

CAF_PLACE = "Maison de quartier du Biollay, salle 2"  # field A: the Caf's correction
MY_BILAN = "Bilan complété : trois collectifs, 30 enfants, un café des parents chaque mois."  # field B: mine


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def returned_for_correction(store: Store) -> tuple[str, str]:
    """A questionnaire the server accepted (v1), then returned: À corriger on this computer."""
    (qid,) = fill_and_transmit(store, 1)
    (item,) = Outbox(store).items(qid)
    Outbox(store).mark_sent(item.op_id, server_rev=1, state="transmis")
    Remote(store).apply([RemoteState(qid, "a_corriger", item.op_id, now())], "c1")
    assert store.get(qid).status == Status.A_CORRIGER
    return qid, item.op_id


def caf_version(qid: str, base: str, answers: dict[str, Any]) -> RemoteVersion:
    body = VersionBody.build(
        base_version_id=uuid.UUID(base), form_id=FORM_ID, form_version=FORM_VERSION, answers=answers
    )
    return RemoteVersion(
        questionnaire_uuid=qid, version_id=str(uuid.uuid4()), base_version_id=base, server_rev=2,
        author_role="caf", form_id=FORM_ID, form_version=FORM_VERSION, answers=answers,
        payload_sha256=body.payload_sha256, created_at=now(),
    )  # fmt: skip


def test_edits_of_different_fields_merge_by_themselves(store: Store) -> None:
    qid, v1 = returned_for_correction(store)
    base = store.versions(qid)[0].answers
    store.set_answer(qid, "bilan_qualitatif", MY_BILAN)  # the partner corrects B, offline
    theirs = caf_version(qid, v1, {**base, "lieu_action": CAF_PLACE})  # meanwhile the Caf corrected A

    summary = Remote(store).apply([theirs], "c2")

    assert (summary.caf_edits, summary.conflicts) == (1, 0)
    assert Remote(store).conflicts(qid) == []
    answers = store.answers(qid)
    assert (answers["lieu_action"], answers["bilan_qualitatif"]) == (CAF_PLACE, MY_BILAN)
    assert {k: v for k, v in answers.items() if k not in ("lieu_action", "bilan_qualitatif")} == {
        k: v for k, v in base.items() if k not in ("lieu_action", "bilan_qualitatif")
    }
    v3 = store.transmit(qid)
    history = store.versions(qid)
    assert [(v.version_id, v.author) for v in history] == [(v1, "partner"), (theirs.version_id, "caf"), (v3, "partner")]
    assert history[2].base_version_id == theirs.version_id  # sent on top of the Caf's version
    assert (history[2].answers["lieu_action"], history[2].answers["bilan_qualitatif"]) == (CAF_PLACE, MY_BILAN)


@pytest.mark.parametrize(("take", "kept"), [("caf", 25), ("mine", 26)])
def test_the_same_field_changed_on_both_sides_waits_for_the_partner(store: Store, take: str, kept: int) -> None:
    qid, v1 = returned_for_correction(store)
    base = store.versions(qid)[0].answers
    assert base["nb_familles"] == 24
    store.set_answer(qid, "bilan_qualitatif", MY_BILAN)
    store.set_answer(qid, "nb_familles", 26)  # C, mine
    theirs = caf_version(qid, v1, {**base, "lieu_action": CAF_PLACE, "nb_familles": 25})  # C, the Caf's

    summary = Remote(store).apply([theirs], "c2")
    once = dump(store)
    assert Remote(store).apply([theirs], "c2").conflicts == 0  # the same page again: nothing new
    assert dump(store) == once

    assert (summary.caf_edits, summary.conflicts) == (1, 1)
    assert Remote(store).conflicts(qid) == [ConflictInfo("nb_familles", caf_value=25, my_value=26)]
    answers = store.answers(qid)
    assert (answers["lieu_action"], answers["bilan_qualitatif"], answers["nb_familles"]) == (CAF_PLACE, MY_BILAN, 26)
    with pytest.raises(ConflictsPending, match="à la fois par la Caf et par vous"):
        store.transmit(qid)
    assert Outbox(store).count("pending") == 0
    assert store.get(qid).status == Status.A_CORRIGER

    Remote(store).resolve(qid, "nb_familles", take)

    assert Remote(store).conflicts(qid) == []
    assert store.answers(qid)["nb_familles"] == kept
    v3 = store.transmit(qid)
    history = store.versions(qid)
    assert [(v.version_id, v.author) for v in history] == [(v1, "partner"), (theirs.version_id, "caf"), (v3, "partner")]
    assert history[0].answers["nb_familles"] == 24  # nothing was overwritten: every version kept
    assert history[1].answers["nb_familles"] == 25
    assert history[2].answers["nb_familles"] == kept
    assert history[2].base_version_id == theirs.version_id


def test_a_caf_edit_on_a_returned_questionnaire_through_the_real_server(client_store: Store, reviewer: Client) -> None:
    store = client_store
    (qid,) = fill_and_transmit(store, 1)
    (item,) = Outbox(store).items(qid)
    sync = Synchroniser(store, account.connected_client(store))
    assert sync.run().sent == 1
    assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200
    sync.run()
    assert store.get(qid).status == Status.A_CORRIGER

    store.set_answer(qid, "lieu_action", "Salle polyvalente des Hauts")  # the partner corrects A, offline
    store.set_answer(qid, "bilan_qualitatif", MY_BILAN)  # ... and B
    caf = dict(store.versions(qid)[0].answers, lieu_action=CAF_PLACE, commune="Chambéry-le-Vieux")  # A and C
    edited = reviewer.put_version(uuid.UUID(qid), uuid.uuid4(), version_body(caf, base=uuid.UUID(item.op_id)))
    assert edited.status_code == 201, edited.text

    result = sync.run()
    assert result.summary.conflicts == 1
    assert store.get(qid).status == Status.A_CORRIGER  # a Caf edit does not change the state
    assert Remote(store).conflicts(qid) == [ConflictInfo("lieu_action", CAF_PLACE, "Salle polyvalente des Hauts")]
    mine = store.answers(qid)
    assert (mine["commune"], mine["bilan_qualitatif"]) == ("Chambéry-le-Vieux", MY_BILAN)  # merged by themselves
    with pytest.raises(ConflictsPending):
        store.transmit(qid)

    Remote(store).resolve(qid, "lieu_action", "mine")
    store.transmit(qid)
    final = sync.run()
    assert (final.sent, final.refused, final.merged) == (1, [], 0)  # based on the Caf's version: no stale base
    assert store.get(qid).status == Status.TRANSMIS
    assert [v.author for v in store.versions(qid)] == ["partner", "caf", "partner"]
    assert store.versions(qid)[-1].answers["lieu_action"] == "Salle polyvalente des Hauts"
