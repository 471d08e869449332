"""The access token lives in the operating system's keychain (keyring), never in SQLite or a file.

A keychain that does not protect secrets (no backend, the null backend, or a plain-text file from
keyrings.alt) is refused with a clear message rather than silently used.
"""

from __future__ import annotations

import keyring
import keyring.backend
from keyring.errors import KeyringError, PasswordDeleteError

from sync.errors import WeakKeyring

SERVICE = "bilan-clas"
_WEAK_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def _checked_backend() -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", None)
    candidates = list(chained) if chained else [backend]
    module = type(backend).__module__
    if any(module.startswith(weak) for weak in _WEAK_MODULES) or not candidates:
        raise WeakKeyring(
            "Aucun trousseau sécurisé n'est disponible sur cet ordinateur pour garder votre connexion "
            "(par exemple le trousseau de session de Windows, macOS, GNOME ou KDE). Bilan Clas ne l'enregistre "
            "jamais en clair : ouvrez une session avec un trousseau, puis reconnectez-vous."
        )
    return backend


def _account(server_url: str, email: str) -> str:
    return f"{server_url.rstrip('/')}|{email.lower()}"


def save_token(server_url: str, email: str, token: str) -> None:
    backend = _checked_backend()
    try:
        backend.set_password(SERVICE, _account(server_url, email), token)
    except KeyringError as error:
        raise WeakKeyring(f"Le trousseau de l'ordinateur a refusé d'enregistrer la connexion : {error}") from error


def load_token(server_url: str, email: str) -> str | None:
    backend = _checked_backend()
    try:
        return backend.get_password(SERVICE, _account(server_url, email))
    except KeyringError as error:
        raise WeakKeyring(f"Le trousseau de l'ordinateur est inaccessible : {error}") from error


def forget_token(server_url: str, email: str) -> None:
    try:
        _checked_backend().delete_password(SERVICE, _account(server_url, email))
    except (PasswordDeleteError, KeyringError, WeakKeyring):
        pass  # nothing to forget
