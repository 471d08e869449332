"""One app at a time on a data folder: a lock file in the folder (QLockFile) and a local socket.

A second launch on the same folder finds the lock held by a running app, asks it through the socket
to bring its window to the front, and leaves: two windows never edit the same questionnaires.
A lock left by a crashed app is stale (its process is gone) and taken over.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

LOCK_NAME = "bilan-clas.lock"
CONNECT_MS = 2000
ALREADY_RUNNING = "Bilan Clas est déjà ouvert sur ce dossier de données : sa fenêtre est mise au premier plan."


def server_name(data_dir: Path) -> str:
    """The socket's name, one per data folder (short: a Unix socket path is limited to about 100 bytes)."""
    digest = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"bilan-clas-{digest}"


class SingleInstance(QObject):
    activated = Signal()
    """Another launch asked this app to show its window."""

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.name = server_name(data_dir)
        self.lock = QLockFile(str(data_dir / LOCK_NAME))
        self.lock.setStaleLockTime(0)  # stale only when its process is gone, however long the app has run
        self.server: QLocalServer | None = None

    def acquire(self) -> bool:
        """True if this process is now the folder's app; then it listens for the next launches."""
        if not self.lock.tryLock(100):
            return False
        QLocalServer.removeServer(self.name)  # a socket file left by a crash
        self.server = QLocalServer(self)
        self.server.newConnection.connect(self._on_connection)
        self.server.listen(self.name)
        return True

    def ask_running_to_show(self) -> bool:
        """Tell the running app to bring its window to the front; False if it could not be reached."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(CONNECT_MS):
            return False
        socket.write(b"show\n")
        socket.flush()
        socket.waitForBytesWritten(CONNECT_MS)
        socket.disconnectFromServer()
        return True

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()

    def _on_connection(self) -> None:
        assert self.server is not None
        while self.server.hasPendingConnections():
            connection = self.server.nextPendingConnection()
            connection.disconnected.connect(connection.deleteLater)
            connection.close()
            self.activated.emit()
