"""The desktop app against the real reference server: login, sync, the Caf's notices on their fields,
offline, and a refused transmission with what the user can do about it. Real widgets, real uvicorn."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.main_window import MainWindow
from desktop.sync_dialogs import LoginDialog
from forms.lifecycle import SEND_FAILED, Status
from forms.store.outbox import Outbox
from sync.engine import SyncResult
from sync.server import accounts, campaigns, review
from sync.server.app import create_app
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import FAST_HASHER, PASSWORD
from tests.support.live_server import ThreadedUvicorn


class LiveServer:
    def __init__(self, folder: Path) -> None:
        self.ctx = ServerContext.open(Settings(database_url=f"sqlite:///{folder}/server.sqlite3"), hasher=FAST_HASHER)
        campaigns.set_window(self.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2099, 12, 31))
        self.partner = "asso@exemple.fr"
        accounts.create_account(
            self.ctx, role=accounts.PARTNER, email=self.partner, password=PASSWORD, caf="73", name="Association Élan"
        )
        accounts.create_account(self.ctx, role=accounts.REVIEWER, email="agent@caf73.fr", password=PASSWORD, caf="73")
        self.reviewer = accounts.find_account(self.ctx, "agent@caf73.fr", accounts.REVIEWER)
        self.http: ThreadedUvicorn | None = None
        self.port: int | None = None

    def start(self) -> None:
        self.http = ThreadedUvicorn(create_app(ctx=self.ctx)).start()
        self.port = self.http.port

    def stop(self) -> None:
        if self.http is not None:
            self.http.stop()
            self.http = None

    @property
    def url(self) -> str:
        assert self.http is not None
        return self.http.url


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path)
    live.start()
    yield live
    live.stop()
    live.ctx.close()


@pytest.fixture
def window(qtbot, data_dir: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    main = MainWindow(data_dir)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: main.sync is not None)
    yield main
    main.close()


def _login(qtbot, window: MainWindow, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    assert window.sync is not None
    dialog = LoginDialog(window.sync, server.url, "", window)
    qtbot.addWidget(dialog)
    dialog.email_edit.setText(server.partner)
    dialog.password_edit.setText(PASSWORD)
    with qtbot.waitSignal(window.sync.logged_in, timeout=10_000):
        dialog.ok_button.click()
    assert dialog.result() == LoginDialog.DialogCode.Accepted


def _sync(qtbot, window: MainWindow) -> SyncResult:  # type: ignore[no-untyped-def]
    assert window.sync is not None
    with qtbot.waitSignal(window.sync.synced, timeout=20_000) as blocker:
        window.synchronise()
    return blocker.args[0]


def _transmitted(window: MainWindow, title: str) -> str:
    assert window.session is not None
    store = window.session.store
    info = store.create(form_id=FORM_ID, title=title, answers=complete_answers())
    store.transmit(info.uuid)
    return info.uuid


def test_transmit_sync_notice_on_its_field_then_validated(qtbot, window: MainWindow, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    _login(qtbot, window, server)
    uuid_ = _transmitted(window, "Accompagnement — Les Hauts")
    result = _sync(qtbot, window)
    assert result.sent == 1
    assert window.home.rows[uuid_].status == Status.TRANSMIS
    assert "Synchronisation terminée : 1 questionnaire transmis" in window.statusBar().currentMessage()

    qid = uuid.UUID(uuid_)
    message = "Le nombre de familles paraît élevé : vérifiez-le. <b>pas du HTML</b>"
    from sync import protocol as p

    review.add_notice(server.ctx, server.reviewer, qid, p.NoticeCreate(question_id="nb_familles", message=message))
    review.return_for_correction(server.ctx, server.reviewer, qid)
    window.open_questionnaire(uuid_)
    result = _sync(qtbot, window)
    assert "1 questionnaire à corriger" in result.text()
    assert "1 questionnaire à corriger, 1 remarque de la Caf" in window.home.news_label.text()
    assert not window.home.news_row.isHidden()
    view = window.questionnaire_view
    assert view is not None
    widget = view.form.widgets["nb_familles"]
    assert not widget.notice_label.isHidden()
    assert message in widget.notice_label.text()
    assert view.notices_panel.isVisibleTo(view)
    assert view.notices_list.count() == 1
    assert view.transmit_button.isVisibleTo(view)  # À corriger: editable again
    view.notices_list.itemActivated.emit(view.notices_list.item(0))
    assert view.form.current_page_id() == "donnees_activite"

    assert window.session is not None
    window.session.store.set_answer(uuid_, "nb_familles", 12)
    window.session.store.transmit(uuid_)
    _sync(qtbot, window)
    review.validate_structure(server.ctx, server.reviewer, qid)
    review.validate(server.ctx, server.reviewer, qid)
    result = _sync(qtbot, window)
    assert "1 questionnaire validé" in result.text()
    assert window.home.rows[uuid_].status == Status.VALIDE
    assert not view.transmit_button.isVisibleTo(view)


def test_offline_sync_loses_nothing_and_says_so(qtbot, window: MainWindow, server: LiveServer) -> None:  # type: ignore[no-untyped-def]
    _login(qtbot, window, server)
    uuid_ = _transmitted(window, "Coup de pouce lecture")
    server.stop()
    assert window.sync is not None
    with qtbot.waitSignal(window.sync.failed, timeout=20_000) as blocker:
        window._manual_sync = False  # the warning box is modal; the status bar carries the same text
        window.sync.synchronise(manual=True)
    assert "Rien n'est perdu" in blocker.args[0]
    assert window.sync.online is False
    assert window.home.rows[uuid_].status == Status.A_ENVOYER
    assert window.session is not None
    assert Outbox(window.session.store).count("pending") == 1


def _refused(qtbot, window: MainWindow, server: LiveServer, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A questionnaire transmitted after the campaign closed: the server refuses it for good."""
    _login(qtbot, window, server)
    campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2025, 10, 15))
    uuid_ = _transmitted(window, "Aide aux devoirs")
    window.open_questionnaire(uuid_)
    monkeypatch.setattr(QMessageBox, "warning", lambda *args, **kwargs: QMessageBox.StandardButton.Ok)
    result = _sync(qtbot, window)
    assert result.refused
    view = window.questionnaire_view
    assert view is not None
    return uuid_, view


def test_refused_transmission_offers_retry_and_taking_it_back(
    qtbot, window: MainWindow, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    uuid_, view = _refused(qtbot, window, server, monkeypatch)
    panel = view.transmission
    assert panel.failure_box.isVisibleTo(view)
    assert "Échec d'envoi" in panel.failure_label.text()
    assert "campagne" in panel.failure_label.text().lower()

    campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2099, 12, 31))
    with qtbot.waitSignal(window.sync.synced, timeout=20_000):  # type: ignore[union-attr]
        panel.retry_requested.emit()
    assert window.home.rows[uuid_].status == Status.TRANSMIS
    assert not panel.failure_box.isVisibleTo(view)


def test_taking_a_refused_transmission_back_makes_it_editable(
    qtbot, window: MainWindow, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    uuid_, view = _refused(qtbot, window, server, monkeypatch)
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    view.transmission.withdraw_requested.emit()
    assert window.session is not None
    assert window.session.store.get(uuid_).status == Status.EN_COURS
    assert view.transmit_button.isVisibleTo(view)
    states = [i.state for i in Outbox(window.session.store).items(uuid_)]
    assert states == ["cancelled"]  # kept in the history, never dropped silently


def test_after_a_refusal_the_chip_the_list_and_the_news_agree_and_the_news_stays_after_a_restart(
    qtbot, window: MainWindow, server: LiveServer, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    """Finding 9: « Échec d'envoi » everywhere, from forms/lifecycle.py; the banner says it until « Compris »."""
    uuid_, view = _refused(qtbot, window, server, monkeypatch)
    assert view.status_badge.text() == SEND_FAILED.label
    assert window.home.rows[uuid_].badge == SEND_FAILED
    news = window.home.news_label.text()
    assert "1 envoi refusé par le serveur («\u00a0Aide aux devoirs\u00a0»)" in news
    window.show_home()
    assert window.home.news_row.isVisible()
    window.close()

    def reopened() -> MainWindow:
        again = MainWindow(data_dir)
        qtbot.addWidget(again)
        again.show()
        qtbot.waitUntil(lambda: again.sync is not None)
        again.show_home()
        return again

    again = reopened()
    assert again.home.news_row.isVisible()  # not dismissed: still there after a restart
    assert again.home.news_label.text() == news
    again.home.news_close.click()
    assert not again.home.news_row.isVisible()
    again.close()
    assert not reopened().home.news_row.isVisible()  # dismissed: gone for good


def test_the_news_forget_a_refusal_once_it_is_sent(
    qtbot, window: MainWindow, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    uuid_, view = _refused(qtbot, window, server, monkeypatch)
    assert "refusé" in window.home.news_label.text()
    campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2099, 12, 31))
    with qtbot.waitSignal(window.sync.synced, timeout=20_000):  # type: ignore[union-attr]
        view.transmission.retry_requested.emit()
    assert window.home.rows[uuid_].status == Status.TRANSMIS
    assert view.status_badge.text() == Status.TRANSMIS.label
    assert "refusé" not in window.home.news_label.text()  # the list says Transmis: the banner does not contradict it
