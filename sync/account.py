"""Who this computer syncs as: the server address and e-mail (kept with the data), the token (keychain)."""

from __future__ import annotations

from forms.store import Store
from sync import credentials
from sync.client import SyncClient, server_base
from sync.errors import AuthRequired, NotConfigured
from sync.protocol import TokenResponse

SERVER_KEY = "server_url"
EMAIL_KEY = "account_email"
ORGANISATION_KEY = "account_organisation"


def login(store: Store, server_url: str, email: str, password: str) -> TokenResponse:
    """Check the credentials with the server; keep the token in the keychain and the address with the data."""
    base = server_base(server_url)
    credentials.check_can_keep()  # refuse a weak keychain (unless memory is allowed) before asking the server
    client = SyncClient(base)
    try:
        token = client.login(email.strip(), password)
    finally:
        client.close()
    previous_server, previous_email = store.setting(SERVER_KEY), store.setting(EMAIL_KEY)
    if previous_server and previous_email and (previous_server, previous_email) != (base, email.strip()):
        credentials.forget_token(previous_server, previous_email)
    credentials.save_token(base, email.strip(), token.access_token)
    store.set_setting(SERVER_KEY, base)
    store.set_setting(EMAIL_KEY, email.strip())
    store.set_setting(ORGANISATION_KEY, token.organisation)
    return token


def account(store: Store) -> tuple[str, str] | None:
    server, email = store.setting(SERVER_KEY), store.setting(EMAIL_KEY)
    return (server, email) if server and email else None


def connected_client(store: Store) -> SyncClient:
    """A client carrying the stored token; NotConfigured or AuthRequired when the user must log in."""
    found = account(store)
    if found is None:
        raise NotConfigured("Connectez-vous d'abord au serveur de votre Caf (adresse, e-mail, mot de passe).")
    server, email = found
    token = credentials.load_token(server, email)
    if not token:
        raise AuthRequired("Reconnectez-vous au serveur : la connexion n'est plus enregistrée sur cet ordinateur.")
    return SyncClient(server, token=token)


def logged_in(store: Store) -> bool:
    """An account is set and its token is kept (keychain, or memory for this session)."""
    found = account(store)
    if found is None:
        return False
    try:
        return bool(credentials.load_token(*found))
    except Exception:  # noqa: BLE001 - a keychain that cannot answer: not connected, the user may log in again
        return False


def logout(store: Store) -> None:
    found = account(store)
    if found:
        credentials.forget_token(*found)
