"""The campaign window in the app (issue 12 items 2 and 9): the list and the questionnaire header say
whether the campaign is open, from the partner's Caf window as last seen from the server, else the
definition's; *Transmettre* on a closed campaign warns (contact the Caf) before freezing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.questionnaire_view import QuestionnaireView
from forms.campaign import record_windows
from forms.lifecycle import Status
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.driver import Modals, button_named, click
from tests.forms.sample_answers import complete_answers

TODAY = dt.date.today()


def _transmit(view: QuestionnaireView, qtbot: QtBot, modals: Modals) -> tuple[str, QMessageBox.Icon]:
    """Click *Transmettre*, confirm; return the confirmation's text and icon."""
    shown: list[tuple[str, QMessageBox.Icon]] = []

    def confirm(box: QMessageBox) -> None:
        shown.append((box.text(), box.icon()))
        button_named(box, "Transmettre").click()

    modals.when_shown(QMessageBox, confirm)
    with qtbot.waitSignal(view.status_changed):
        click(view.transmit_button)
    modals.check()
    return shown[0]


def test_a_closed_campaign_is_said_and_transmitting_warns_first(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot, modals: Modals
) -> None:
    # The official definition closed on 15/10/2025, and no window was seen from the server.
    uuid = store.create(form_id=OFFICIAL_FORM, title="Complet", answers=complete_answers()).uuid
    view = open_view(uuid)
    assert view.campaign_label.text() == "Campagne close depuis le 15/10/2025"
    text, icon = _transmit(view, qtbot, modals)
    assert text.startswith("Attention : La campagne est close depuis le 15/10/2025")
    assert "Contactez votre Caf" in text
    assert icon == QMessageBox.Icon.Warning
    assert store.get(uuid).status == Status.A_ENVOYER  # warned, not refused: the user chose to freeze it


def test_the_partners_caf_window_from_the_server_wins(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot, modals: Modals
) -> None:
    closes = TODAY + dt.timedelta(days=300)
    record_windows(store, [(OFFICIAL_FORM, dt.date(2025, 9, 10), closes)])
    uuid = store.create(form_id=OFFICIAL_FORM, title="Complet", answers=complete_answers()).uuid
    view = open_view(uuid)
    assert view.campaign_label.text() == f"Campagne ouverte jusqu'au {closes:%d/%m/%Y}"
    text, icon = _transmit(view, qtbot, modals)
    assert not text.startswith("Attention")  # negative control: an open campaign asks without a warning
    assert icon == QMessageBox.Icon.Question


def test_the_list_shows_each_campaigns_window(store: Store, open_window: Callable[[], MainWindow]) -> None:
    opens = TODAY + dt.timedelta(days=10)
    record_windows(store, [(OFFICIAL_FORM, opens, opens + dt.timedelta(days=40))])
    store.create(form_id=OFFICIAL_FORM, title="Coup de pouce lecture")
    home = open_window().home
    heading = home.tree.model().index(0, 0).data()
    assert heading.endswith(
        f"· Campagne bientôt ouverte : du {opens:%d/%m/%Y} au {opens + dt.timedelta(days=40):%d/%m/%Y}"
    )
