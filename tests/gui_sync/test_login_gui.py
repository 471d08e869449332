"""Logging in from the app (issue 15 item 2): without a secure keychain the token stays in this process's
memory only (never in a file); the dialog says so; the e-mail comes from the profile; after a wrong password
the address and e-mail stay and the password is cleared and focused; the account shows once connected, and
« Se déconnecter » forgets it. Real widgets, real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from desktop.sync_dialogs import LoginDialog
from sync import account, credentials
from sync.errors import WeakKeyring
from tests.desktop.driver import Modals
from tests.forms.sample_answers import structure_profile
from tests.gui_sync.test_sync_gui import LiveServer, server, window  # noqa: F401 - fixtures
from tests.server.conftest import PASSWORD


@pytest.fixture
def no_keychain() -> Iterator[None]:
    """A desktop without Secret Service (bare XFCE, kiosk), in the app that allows memory-only tokens."""
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the conftest fixture puts the in-memory one back
    credentials.allow_memory_only()
    yield
    credentials.allow_memory_only(False)


@pytest.fixture
def modals() -> Iterator[Modals]:
    driver = Modals()
    yield driver
    driver.check()


def _files_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def _submit(qtbot: QtBot, dialog: LoginDialog, password: str) -> None:
    dialog.password_edit.setText(password)
    with qtbot.waitSignal(
        dialog.controller.failed if password != PASSWORD else dialog.controller.logged_in, timeout=10_000
    ):
        dialog.ok_button.click()


def test_login_without_a_keychain_keeps_the_token_in_memory_only(
    qtbot: QtBot,
    window: MainWindow,  # noqa: F811
    server: LiveServer,  # noqa: F811
    no_keychain: None,
    data_dir: Path,
) -> None:
    assert window.sync is not None
    assert window.session is not None
    dialog = LoginDialog(window.sync, server.url, server.partner, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.note.text() == credentials.MEMORY_ONLY_TEXT  # one plain sentence says what happens

    _submit(qtbot, dialog, "pas-le-bon-mot-de-passe")
    assert dialog.message.text() == "E-mail ou mot de passe incorrect."
    assert (dialog.server_edit.text(), dialog.email_edit.text()) == (server.url, server.partner)
    assert dialog.password_edit.text() == ""
    qtbot.waitUntil(dialog.password_edit.hasFocus)

    dialog.show_password.setChecked(True)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.show_password.setChecked(False)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password

    _submit(qtbot, dialog, PASSWORD)
    assert dialog.result() == LoginDialog.DialogCode.Accepted
    token = credentials.load_token(*account.account(window.session.store))  # type: ignore[misc]
    assert token
    window.settings.sync()
    assert token.encode() not in _files_bytes(data_dir)  # never in a file: memory only
    window.show_account()
    assert window.login_action.text() == f"Connecté : {server.partner}"
    assert window.logout_action.isVisible()

    with qtbot.waitSignal(window.sync.synced, timeout=20_000):
        window.synchronise()  # the memory token works for this session

    window.logout()  # a shared community-room computer
    assert credentials.load_token(server.url, server.partner) is None
    assert window.login_action.text() == "Se connecter…"
    assert not window.logout_action.isVisible()


def test_without_memory_allowed_a_weak_keychain_is_still_refused(server: LiveServer, store) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """Negative control: the CLI (no memory allowed) refuses, as before; the fallback is the app's choice."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(WeakKeyring):
        account.login(store, server.url, server.partner, PASSWORD)


def test_the_login_dialog_starts_from_the_profile_and_keeps_what_was_typed(
    window: MainWindow,  # noqa: F811
    modals: Modals,
) -> None:
    assert window.session is not None
    window.session.store.save_profile(structure_profile())
    email = structure_profile()["email"]

    def read_then_change(dialog: LoginDialog) -> None:
        assert dialog.email_edit.text() == email
        dialog.server_edit.setText("https://caf.exemple.fr")
        dialog.email_edit.setText("autre@exemple.fr")
        dialog.reject()  # e.g. after a failure: the next opening starts from what was typed

    modals.when_shown(LoginDialog, read_then_change)
    window.show_login()
    modals.check()

    def read_again(dialog: LoginDialog) -> None:
        assert (dialog.server_edit.text(), dialog.email_edit.text()) == ("https://caf.exemple.fr", "autre@exemple.fr")
        dialog.reject()

    modals.when_shown(LoginDialog, read_again)
    window.show_login()
    modals.check()


def test_forgotten_password_says_who_resets_it(
    qtbot: QtBot,
    window: MainWindow,  # noqa: F811
    server: LiveServer,  # noqa: F811
) -> None:
    """Finding 12: « Mot de passe oublié ? » says in one sentence that the Caf resets it from its console."""
    assert window.sync is not None
    dialog = LoginDialog(window.sync, server.url, server.partner, window)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.forgot_label.isVisible()
    dialog.forgot_button.click()
    assert dialog.forgot_label.isVisible()
    assert dialog.forgot_label.text().startswith("Votre Caf peut réinitialiser votre mot de passe depuis sa console")
    dialog.forgot_button.click()
    assert not dialog.forgot_label.isVisible()

    _submit(qtbot, dialog, "pas-le-bon-mot-de-passe")
    assert dialog.forgot_label.isVisible()  # after a wrong password, who can help is said at once
    _submit(qtbot, dialog, PASSWORD)
    dialog = LoginDialog(window.sync, server.url, server.partner, window)  # next time: the Caf is known
    qtbot.addWidget(dialog)
    assert dialog.forgot_label.text().startswith("Votre Caf (Caf\u00a073) peut réinitialiser")
