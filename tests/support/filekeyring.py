"""A keyring backend for subprocess tests only: secrets in a JSON file named by BILAN_CLAS_TEST_KEYRING.

Select it with PYTHON_KEYRING_BACKEND=tests.support.filekeyring.FileKeyring. Never shipped: the app
refuses plain-text keyrings; this one lives in a test's temporary folder and dies with it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class FileKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ["BILAN_CLAS_TEST_KEYRING"])

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\n{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\n{username}"] = password
        self.path.write_text(json.dumps(data))

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\n{username}", None) is None:
            raise PasswordDeleteError(username)
        self.path.write_text(json.dumps(data))
