"""A Caf edit meets the partner's own correction: one field merges by itself, the other waits for the
partner's choice in the dialog (Valeur de la Caf / Votre valeur), and transmission waits for it too."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog

from desktop.bindings import QuestionnaireBinding
from desktop.questionnaire_view import QuestionnaireView
from desktop.sync_dialogs import ConflictDialog
from forms.lifecycle import Status
from forms.store import ConflictsPending, Store
from forms.store.outbox import Outbox
from forms.store.remote import Remote, RemoteState, RemoteVersion
from tests.forms.sample_answers import FORM_ID, FORM_VERSION, complete_answers


def _returned_with_caf_edit(store: Store) -> str:
    answers = complete_answers()
    info = store.create(form_id=FORM_ID, title="Aide aux devoirs", answers=answers)
    sent = store.transmit(info.uuid)
    Outbox(store).mark_sent(sent, server_rev=1, state="transmis")
    now = dt.datetime.now(dt.UTC).isoformat()
    remote = Remote(store)
    remote.apply([RemoteState(info.uuid, "a_corriger", sent, now)], "c1")
    store.set_answer(info.uuid, "nb_familles", 20)  # the partner's correction
    caf = dict(answers, nb_familles=22, commune="Chambéry-le-Vieux")  # the Caf fixed the same field, and another
    edit = RemoteVersion(
        questionnaire_uuid=info.uuid, version_id=str(uuid.uuid4()), base_version_id=sent, server_rev=2,
        author_role="caf", form_id=FORM_ID, form_version=FORM_VERSION, answers=caf, payload_sha256="0" * 64,
        created_at=now,
    )  # fmt: skip
    summary = remote.apply([edit], "c2")
    assert summary.conflicts == 1
    return info.uuid


def test_the_partner_chooses_between_the_caf_value_and_theirs(
    qtbot, store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    questionnaire = _returned_with_caf_edit(store)
    assert store.answers(questionnaire)["commune"] == "Chambéry-le-Vieux"  # changed by the Caf only: merged
    with pytest.raises(ConflictsPending):
        store.transmit(questionnaire)

    view = QuestionnaireView(QuestionnaireBinding(store, questionnaire))
    qtbot.addWidget(view)
    view.show()
    assert view.transmission.conflict_box.isVisibleTo(view)
    assert "1 réponse" in view.transmission.conflict_label.text()

    shown: list[str] = []

    def choose_the_caf_value(dialog: ConflictDialog) -> int:
        for button in dialog.groups["nb_familles"].buttons():
            shown.append(button.text())
        dialog.groups["nb_familles"].button(0).setChecked(True)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ConflictDialog, "exec", choose_the_caf_value)
    view.transmission.resolve_requested.emit()

    assert shown == ["Valeur de la Caf : 22\u00a0familles", "Votre valeur : 20\u00a0familles"]
    assert store.answers(questionnaire)["nb_familles"] == 22
    assert view.form.widgets["nb_familles"].value() == 22
    assert not view.transmission.conflict_box.isVisibleTo(view)
    store.transmit(questionnaire)
    assert store.get(questionnaire).status == Status.A_ENVOYER
    assert [v.author for v in store.versions(questionnaire)] == ["partner", "caf", "partner"]  # all kept
