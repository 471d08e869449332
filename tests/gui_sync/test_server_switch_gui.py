"""The app asks before switching servers: Annuler keeps the first; Changer de serveur re-queues for the new one."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from desktop.main_window import MainWindow
from desktop.sync_dialogs import LoginDialog
from forms.lifecycle import Status
from sync.server.models import Questionnaire
from tests.gui_sync.test_sync_gui import LiveServer, _login, _sync, _transmitted, server, window
from tests.server.conftest import PASSWORD

__all__ = ["server", "window"]  # the fixtures, shared with the main GUI sync test


def test_login_to_another_server_asks_first(qtbot, window: MainWindow, server: LiveServer, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _login(qtbot, window, server)
    uuid_ = _transmitted(window, "Accompagnement — Les Hauts")
    assert _sync(qtbot, window).sent == 1
    folder = tmp_path / "second"
    folder.mkdir()
    second = LiveServer(folder)
    second.start()
    try:
        assert window.sync is not None
        assert window.session is not None
        store = window.session.store
        for answer in ("Annuler", "Changer de serveur"):
            dialog = LoginDialog(window.sync, second.url, second.partner, window)
            qtbot.addWidget(dialog)
            dialog.show()
            dialog.password_edit.setText(PASSWORD)
            with qtbot.waitSignal(window.sync.server_change_requested, timeout=10_000) as asked:
                dialog.ok_button.click()
            assert "n'est pas celui qui a reçu vos questionnaires" in asked.args[0]
            assert dialog.confirm is not None
            assert dialog.confirm.isVisible()
            button = next(b for b in dialog.confirm.buttons() if b.text() == answer)
            if answer == "Annuler":
                button.click()
                assert "vous restez sur le serveur précédent" in dialog.message.text()
                assert store.get(uuid_).status == Status.TRANSMIS
                dialog.reject()
                continue
            with qtbot.waitSignal(window.sync.logged_in, timeout=10_000):
                button.click()
        assert store.get(uuid_).status in (Status.A_ENVOYER, Status.TRANSMIS)  # queued (or already sent)
        qtbot.waitUntil(lambda: not window.sync.busy(), timeout=20_000)
        if store.get(uuid_).status != Status.TRANSMIS:
            assert _sync(qtbot, window).sent == 1
        assert store.get(uuid_).status == Status.TRANSMIS
        with second.ctx.db.read() as session:
            assert [str(q.id) for q in session.exec(select(Questionnaire)).all()] == [uuid_]
    finally:
        second.stop()
        second.ctx.close()
