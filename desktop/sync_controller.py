"""Sync seen from the GUI: login, manual and automatic synchronisation, the online indicator.

Network work runs through the TaskRunner (never on the GUI thread); the user keeps filling forms
meanwhile. A probe asks the server for /meta every minute: when it becomes reachable and
transmissions are waiting, a sync starts by itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop.tasks import TaskContext, TaskHandle, TaskRunner
from forms.store import Store, StoreError
from forms.store.outbox import Outbox
from sync import account, credentials
from sync.engine import Synchroniser, SyncResult, last_sync
from sync.errors import AuthRequired, Interrupted, NotConfigured, Offline, ServerChanged, SyncError, Transient

PROBE_INTERVAL_MS = 60_000
NOTHING_TO_SEND_OFFLINE = (
    "Le serveur de la Caf est injoignable pour le moment. Rien n'attend d'être envoyé : "
    "vos bilans restent enregistrés sur cet ordinateur."
)


class SyncController(QObject):
    online_changed = Signal(object)
    """True (reachable), False (unreachable) or None (not logged in)."""
    busy_changed = Signal(bool)
    """A sync started (True) or ended (False)."""
    progressed = Signal(int, int, str)
    """Progress of the running sync: done, total, a French line."""
    synced = Signal(object)
    """A sync ended; carries the SyncResult."""
    failed = Signal(str)
    """A sync or login failed; carries the French message (nothing was lost)."""
    login_required = Signal(str)
    """The server wants a (new) login; carries the French reason."""
    logged_in = Signal(str)
    """Login succeeded; carries the organisation's name."""
    server_change_requested = Signal(str)
    """Login reached another server than the one holding the questionnaires: ask before switching."""
    credentials_rejected = Signal()
    """The server refused the e-mail or password (emitted before `failed`, which carries the message)."""

    def __init__(self, store: Store, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.tasks = tasks
        self.online: bool | None = None
        self._sync: TaskHandle | None = None
        self._probe: TaskHandle | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(PROBE_INTERVAL_MS)
        self.timer.timeout.connect(self.probe)

    def start(self) -> None:
        self.timer.start()
        self.probe()

    def stop(self) -> None:
        self.timer.stop()
        for handle in (self._sync, self._probe):
            if handle is not None:
                handle.cancel()

    # --- state -------------------------------------------------------------------------------

    def account(self) -> tuple[str, str] | None:
        return account.account(self.store)

    def logged_in_now(self) -> bool:
        """An account with a kept token: the app shows it, with « Se déconnecter »."""
        return account.logged_in(self.store)

    def memory_only(self) -> bool:
        """No secure keychain here: a login lasts until the app closes."""
        return not credentials.secure_keychain()

    def logout(self) -> None:
        """Forget this computer's connection (a shared computer); the answers and the outbox stay."""
        account.logout(self.store)
        self._set_online(None)

    def busy(self) -> bool:
        return self._sync is not None and self._sync.running

    def pending(self) -> int:
        return Outbox(self.store).count()

    def last_sync(self) -> dt.datetime | None:
        return last_sync(self.store)

    def _set_online(self, online: bool | None) -> None:
        if online != self.online:
            self.online = online
            self.online_changed.emit(online)

    # --- login -------------------------------------------------------------------------------

    def login(self, server_url: str, email: str, password: str, *, switch_server: bool = False) -> TaskHandle:
        def work(_context: TaskContext) -> str:
            return account.login(self.store, server_url, email, password, switch_server=switch_server).organisation

        return self.tasks.run(work, on_success=self._on_logged_in, on_failure=self._on_login_failed)

    def _on_logged_in(self, organisation: Any) -> None:
        self._set_online(True)
        self.logged_in.emit(str(organisation))
        if self.pending():
            self.synchronise(manual=False)

    def _on_login_failed(self, error: Any) -> None:
        if isinstance(error, ServerChanged):
            self.server_change_requested.emit(str(error))
            return
        if isinstance(error, AuthRequired):
            self.credentials_rejected.emit()
        self.failed.emit(str(error) if isinstance(error, SyncError) else f"Connexion impossible : {error}")

    # --- probe -------------------------------------------------------------------------------

    def probe(self) -> None:
        if self.account() is None:
            self._set_online(None)
            return
        if self.busy() or (self._probe is not None and self._probe.running):
            return

        def work(_context: TaskContext) -> bool:
            client = account.connected_client(self.store)
            try:
                client.meta()
            finally:
                client.close()
            return True

        self._probe = self.tasks.run(work, on_success=self._on_probe_ok, on_failure=self._on_probe_failed)

    def _on_probe_ok(self, _result: Any) -> None:
        was_offline = self.online is not True
        self._set_online(True)
        if was_offline and self.pending():
            self.synchronise(manual=False)  # back online with transmissions waiting: send them

    def _on_probe_failed(self, error: Any) -> None:
        if isinstance(error, AuthRequired | NotConfigured):
            self._set_online(None)
        else:
            self._set_online(False)

    # --- sync --------------------------------------------------------------------------------

    def synchronise(self, manual: bool = True) -> None:
        if self.busy():
            return
        if self.account() is None:
            self.login_required.emit("Connectez-vous au serveur de votre Caf pour synchroniser.")
            return

        def work(context: TaskContext) -> SyncResult:
            client = account.connected_client(self.store)
            client.cancelled = context.cancelled  # *Annuler* also cuts the request under way
            try:
                return Synchroniser(self.store, client).run(
                    force=manual, report=context.report, cancelled=context.cancelled
                )
            except Interrupted:
                return SyncResult(cancelled=True)
            finally:
                client.close()

        self._sync = self.tasks.run(
            work, on_success=self._on_synced, on_failure=self._on_sync_failed, on_progress=self._on_progress
        )
        self.busy_changed.emit(True)

    def cancel(self) -> None:
        if self._sync is not None:
            self._sync.cancel()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progressed.emit(done, total, text)

    def _on_synced(self, result: Any) -> None:
        self._set_online(True)
        self.busy_changed.emit(False)
        self.synced.emit(result)

    def _on_sync_failed(self, error: Any) -> None:
        self.busy_changed.emit(False)
        if isinstance(error, AuthRequired | NotConfigured):
            self._set_online(None)
            self.login_required.emit(str(error))
            return
        if isinstance(error, Offline | Transient):
            self._set_online(False)
        message = (
            str(error)
            if isinstance(error, SyncError | StoreError)  # StoreError: a full disk, a damaged file (French)
            else f"Erreur inattendue pendant la synchronisation : {error}"
        )
        if isinstance(error, Offline | Transient) and not self.pending():
            message = NOTHING_TO_SEND_OFFLINE  # « l'envoi sera repris » would promise a sending that is not there
        self.failed.emit(message)
