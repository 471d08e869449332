"""The access token lives in the operating system's keychain (keyring), never in SQLite or a file.

A keychain that does not protect secrets (no backend, the null backend, or a plain-text file from
keyrings.alt) is refused with a clear message rather than silently used. The desktop app may instead
keep the token in this process's memory (`allow_memory_only`): on a bare XFCE desktop or a kiosk, login
works for the running app and the password is asked again at the next start. Never a file.
"""

from __future__ import annotations

import keyring
import keyring.backend
from keyring.errors import KeyringError, PasswordDeleteError

from sync.errors import WeakKeyring

SERVICE = "bilan-clas"
_WEAK_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")

MEMORY_ONLY_TEXT = (
    "Cet ordinateur n'a pas de trousseau sécurisé : Bilan Clas garde la connexion en mémoire jusqu'à sa "
    "fermeture et vous redemandera votre mot de passe au prochain démarrage."
)
"""What the login dialog says when no secure keychain exists and the token stays in memory."""

_memory: dict[str, str] = {}
_memory_allowed = False


def allow_memory_only(allowed: bool = True) -> None:
    """Without a secure keychain, keep tokens in this process's memory instead of refusing (the desktop app)."""
    global _memory_allowed
    _memory_allowed = allowed
    if not allowed:
        _memory.clear()


def secure_keychain() -> bool:
    """Whether a keychain that protects secrets is available (else: memory only, or refused)."""
    try:
        _checked_backend()
    except WeakKeyring:
        return False
    return True


def check_can_keep() -> None:
    """Raise WeakKeyring if a token could be kept neither in a secure keychain nor (when allowed) in memory."""
    if not _memory_allowed:
        _checked_backend()


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
    key = _account(server_url, email)
    try:
        backend = _checked_backend()
        backend.set_password(SERVICE, key, token)
    except WeakKeyring:
        if not _memory_allowed:
            raise
        _memory[key] = token
    except KeyringError as error:
        if not _memory_allowed:
            raise WeakKeyring(f"Le trousseau de l'ordinateur a refusé d'enregistrer la connexion : {error}") from error
        _memory[key] = token  # a locked or broken keychain: this session only
    else:
        _memory.pop(key, None)


def load_token(server_url: str, email: str) -> str | None:
    key = _account(server_url, email)
    if key in _memory:
        return _memory[key]
    try:
        backend = _checked_backend()
        return backend.get_password(SERVICE, key)
    except WeakKeyring:
        if _memory_allowed:
            return None
        raise
    except KeyringError as error:
        if _memory_allowed:
            return None
        raise WeakKeyring(f"Le trousseau de l'ordinateur est inaccessible : {error}") from error


def forget_token(server_url: str, email: str) -> None:
    _memory.pop(_account(server_url, email), None)
    try:
        _checked_backend().delete_password(SERVICE, _account(server_url, email))
    except (PasswordDeleteError, KeyringError, WeakKeyring):
        pass  # nothing to forget
