"""The app's own preferences (window, last questionnaire, server URL), in DATA/settings.ini.

Kept beside the data so that a test, a portable install or a second data folder has its own.
Secrets never go here: the token lives in the OS keychain.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings


class Settings:
    def __init__(self, data_dir: Path) -> None:
        self._qt = QSettings(str(data_dir / "settings.ini"), QSettings.Format.IniFormat)

    def window_geometry(self) -> QByteArray | None:
        value = self._qt.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def set_window_geometry(self, geometry: QByteArray) -> None:
        self._qt.setValue("window/geometry", geometry)

    def last_questionnaire(self) -> str | None:
        value = self._qt.value("session/last_questionnaire")
        return str(value) if value else None

    def set_last_questionnaire(self, questionnaire_uuid: str | None) -> None:
        self._qt.setValue("session/last_questionnaire", questionnaire_uuid or "")

    def server_url(self) -> str:
        return str(self._qt.value("sync/server_url") or "")

    def set_server_url(self, url: str) -> None:
        self._qt.setValue("sync/server_url", url)

    def email(self) -> str:
        """The e-mail last typed in the login dialog (kept after a failed attempt)."""
        return str(self._qt.value("sync/email") or "")

    def set_email(self, email: str) -> None:
        self._qt.setValue("sync/email", email)

    def sync(self) -> None:
        self._qt.sync()
