"""« Répondre » to a Caf notice: from the notices panel and from under the field, the reply stored
and shown under the notice with its state (« à envoyer », then « envoyée »); none once Validé."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktop.questionnaire_view import QuestionnaireView
from desktop.reply_dialog import ReplyDialog
from forms.lifecycle import ReplyState, Status
from forms.store import Store
from forms.store.replies import Replies
from tests.desktop.driver import Modals, click, go_to_question, type_into
from tests.desktop.storesetup import add_notice
from tests.desktop.test_statuses import essai

REPLY = "Le code postal est corrigé : 73100, commune d'Aix-les-Bains. Merci à l'équipe œuvrant ici !"


def answer_with(text: str) -> Callable[[ReplyDialog], None]:
    def action(dialog: ReplyDialog) -> None:
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # nothing typed yet: nothing to send
        type_into(dialog.editor, text)
        assert ok.isEnabled()
        ok.click()

    return action


def test_reply_from_the_notices_panel_and_under_the_field(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot, tmp_path: Path
) -> None:
    uuid = essai(store, Status.TRANSMIS)
    notice = add_notice(store, uuid, "Le code postal ne correspond pas à la commune.", "q_postal_code")
    view = open_view(uuid)
    assert view.reply_button.isVisible()
    view.notices_list.setCurrentRow(0)
    assert view.reply_button.isEnabled()

    modals = Modals()
    modals.when_shown(ReplyDialog, answer_with(REPLY))
    with qtbot.waitSignal(view.sync_requested):
        click(view.reply_button)
    modals.check()

    [stored] = Replies(store).of_questionnaire(uuid)
    assert (stored.notice_id, stored.message, stored.state) == (notice, REPLY, ReplyState.PENDING)
    item = view.notices_list.item(0).text()
    assert item.endswith(f"Votre réponse (à envoyer) : {REPLY}")
    postal = view.form.widgets["q_postal_code"]
    assert f"Votre réponse (à envoyer) : {REPLY}" in postal.notice_label.text()
    view.grab().save(str(tmp_path / "reply.png"))
    if shots := os.environ.get("BILAN_CLAS_REPLY_SHOT"):  # to look at it: a file path
        view.resize(1280, 860)
        view.grab().save(shots)

    # The field's own « Répondre à la Caf… » button, on a read-only (Transmis) form.
    go_to_question(view.form, "q_postal_code")
    assert postal.reply_button is not None
    assert postal.reply_button.isVisible()
    if shots := os.environ.get("BILAN_CLAS_REPLY_SHOT"):
        view.grab().save(shots.replace(".png", "-champ.png"))
    modals.when_shown(ReplyDialog, answer_with("Deuxième précision."))
    click(postal.reply_button)
    modals.check()
    assert [r.message for r in Replies(store).of_questionnaire(uuid)] == [REPLY, "Deuxième précision."]

    Replies(store).mark_sent(stored.reply_id)  # as the sync does once the server holds it
    view.refresh()
    assert f"Votre réponse (envoyée) : {REPLY}" in view.notices_list.item(0).text()


def test_no_reply_once_validated(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid = essai(store, Status.VALIDE)
    add_notice(store, uuid, "Remarque close.", "q_postal_code")
    view = open_view(uuid)
    assert view.notices_panel.isVisible()
    assert not view.reply_button.isVisible()
    assert view.form.widgets["q_postal_code"].reply_button is None
