"""« Avant de transmettre » on a validated fiche Structure: a point on a locked field (one the Caf's
validation left empty) is « À voir avec la Caf », not one for the partner to fix; without the lock
(negative control) the same point reads as usual."""

from __future__ import annotations

from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from desktop.bindings import QuestionnaireBinding
from desktop.questionnaire_view import ProblemsDialog
from forms.store import Store
from forms.store.locks import RemoteStructureLock
from forms.store.remote import Remote
from tests.conftest import OFFICIAL_FORM
from tests.forms.sample_answers import complete_answers

HELD = "À voir avec la Caf (fiche Structure validée) · "


def _email_point(store: Store, uuid: str, qtbot: QtBot) -> str:
    dialog = ProblemsDialog(QuestionnaireBinding(store, uuid), store.evaluate(uuid).blocking)
    qtbot.addWidget(dialog)
    items = dialog.findChild(QListWidget)
    assert items is not None
    [text] = [items.item(r).text() for r in range(items.count()) if "Votre mail" in items.item(r).text()]
    return text


def test_a_point_held_by_the_lock_says_so(store: Store, qtbot: QtBot) -> None:
    without_email = {k: v for k, v in complete_answers().items() if k != "email"}
    before = store.create(form_id=OFFICIAL_FORM, title="Avant", answers=without_email).uuid
    assert not _email_point(store, before, qtbot).startswith(HELD)  # negative control: no lock yet

    validated = {k: without_email[k] for k in ("nom_structure", "statut_structure", "nom_caf", "siret", "siren")}
    lock = RemoteStructureLock(before, OFFICIAL_FORM, "2026-11-12T09:30:00+00:00", ("email", *validated), validated)
    Remote(store).apply([lock], "cursor-1")
    after = store.create(form_id=OFFICIAL_FORM, title="Après").uuid
    assert _email_point(store, after, qtbot).startswith(HELD)
