"""What each status allows: À envoyer, Transmis and Validé are read-only; À corriger is editable again
and shows the Caf's notices next to their fields and in the notices panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktop.questionnaire_view import QuestionnaireView
from desktop.theme import STATUS_COLOURS
from forms.lifecycle import Status
from forms.store import Store
from tests.desktop.conftest import ESSAI_FORM, ESSAI_VERSION
from tests.desktop.driver import answer, type_into
from tests.desktop.readonly import try_every_edit
from tests.desktop.storesetup import add_notice, set_status
from tests.desktop.test_fill import ESSAI_ANSWERS

DOCUMENT = {"name": "bilan.pdf", "sha256": "0" * 64, "size": 10, "media_type": "application/pdf"}


def essai(store: Store, status: Status, **extra: Any) -> str:
    uuid = store.create(
        form_id=ESSAI_FORM,
        form_version=ESSAI_VERSION,
        title="Essai",
        answers={**ESSAI_ANSWERS, "q_file": DOCUMENT, **extra},
    ).uuid
    set_status(store, uuid, status)
    return uuid


@pytest.mark.parametrize(
    ("status", "explained"),
    [
        (Status.A_ENVOYER, "il partira vers la Caf à la prochaine synchronisation"),
        (Status.TRANSMIS, "Reçu par la Caf"),
        (Status.VALIDE, "il ne peut plus être modifié"),
    ],
)
def test_sent_questionnaires_are_read_only(
    status: Status, explained: str, store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    uuid = essai(store, status)
    before = (store.answers(uuid), store.get(uuid).updated_at)
    view = open_view(uuid)
    assert view.status_badge.text() == status.label
    assert STATUS_COLOURS[status][0] in view.status_badge.styleSheet()
    assert explained in view.info_banner.text()
    assert not view.transmit_button.isVisible()
    assert not view.notices_panel.isVisible()

    try_every_edit(view.form)
    assert view.close_view()
    assert (store.answers(uuid), store.get(uuid).updated_at) == before


def test_a_questionnaire_to_correct_shows_the_notices_and_is_editable(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot
) -> None:
    uuid = essai(store, Status.A_CORRIGER)
    add_notice(store, uuid, "Le code postal ne correspond pas à la commune.", "q_postal_code")
    add_notice(store, uuid, "Merci de joindre le compte rendu de l'assemblée générale.")
    add_notice(store, uuid, "Ancienne remarque, réglée.", "q_text", status="resolved")
    view = open_view(uuid)

    assert view.status_badge.text() == "À corriger"
    assert "corrigez les points signalés" in view.info_banner.text()
    assert view.transmit_button.isVisible()
    assert view.notices_panel.isVisible()
    panel = [view.notices_list.item(r).text() for r in range(view.notices_list.count())]
    day = f"{dt.datetime.now().astimezone():%d/%m/%Y}"
    today = f"(la Caf, le {day})"  # each notice shows its author and its date
    assert panel == [
        f"{store.definition(uuid).question('q_postal_code').label} : Le code postal ne correspond pas à la commune. "
        + today,
        f"Remarque générale : Merci de joindre le compte rendu de l'assemblée générale. {today}",
    ]
    page = store.definition(uuid).page_of("q_postal_code")
    row = view.binding.pages.index(page)
    assert view.form.navigator.item(row).text().endswith("· remarque de la Caf")  # its page is marked
    postal = view.form.widgets["q_postal_code"]
    assert postal.notice_label.text() == f"Remarque de la Caf du {day} : Le code postal ne correspond pas à la commune."
    assert not postal.notice_label.isHidden()
    assert view.form.widgets["q_text"].notice_label.isHidden()  # resolved notices are not in the way

    view.notices_list.setCurrentRow(0)
    QTest.keyClick(view.notices_list, Qt.Key.Key_Return)  # activating a notice jumps to its field
    assert view.form.current_page_id() == "p_action"
    assert QApplication.focusWidget() is postal.edit  # type: ignore[attr-defined]
    assert postal.visibleRegion().boundingRect().height() > 0  # scrolled into view

    answer(view.form, "q_postal_code", "73100")  # and the questionnaire can be corrected
    assert store.answers(uuid)["q_postal_code"] == "73100"


def test_a_general_notice_does_not_move_the_form(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid = essai(store, Status.A_CORRIGER)
    add_notice(store, uuid, "Remarque sans question.")
    view = open_view(uuid)
    view.form.go_to_page("p_chiffres")
    view.notices_list.setCurrentRow(0)
    QTest.keyClick(view.notices_list, Qt.Key.Key_Return)
    assert view.form.current_page_id() == "p_chiffres"


def test_a_transmitted_questionnaire_lists_every_notice_read_only(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    uuid = essai(store, Status.TRANSMIS)
    add_notice(store, uuid, "Corrigé par la Caf.", "q_text", status="resolved")
    add_notice(store, uuid, "Le nombre d'ETP semble élevé.", "q_decimal")
    view = open_view(uuid)
    panel = [view.notices_list.item(r).text() for r in range(view.notices_list.count())]
    label = store.definition(uuid).question
    day = f"{dt.datetime.now().astimezone():%d/%m/%Y}"
    today = f"(la Caf, le {day})"
    assert panel == [
        f"(résolue) {label('q_text').label} : Corrigé par la Caf. {today}",
        f"{label('q_decimal').label} : Le nombre d'ETP semble élevé. {today}",
    ]
    assert (
        view.form.widgets["q_decimal"].notice_label.text()
        == f"Remarque de la Caf du {day} : Le nombre d'ETP semble élevé."
    )
    edit = view.form.widgets["q_decimal"].edit  # type: ignore[attr-defined]
    type_into(edit, "9")
    assert edit.text() == "1,25"
