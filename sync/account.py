"""Who this computer syncs as: the server address and e-mail (kept with the data), the token (keychain)."""

from __future__ import annotations

from forms.overview import ACCOUNT_CAF_KEY
from forms.store import Store
from forms.store.remote import Remote
from forms.store.server_switch import known_to_a_server, requeue_for_new_server
from sync import credentials
from sync.client import SyncClient, server_base
from sync.errors import AuthRequired, NotConfigured, ServerChanged, SyncError
from sync.protocol import TokenResponse

SERVER_KEY = "server_url"
EMAIL_KEY = "account_email"
ORGANISATION_KEY = "account_organisation"
SERVER_ID_KEY = "server_id"  # the /meta server id the local remote state belongs to


def login(store: Store, server_url: str, email: str, password: str, *, switch_server: bool = False) -> TokenResponse:
    """Check the credentials with the server; keep the token in the keychain and the address with the data.

    The local remote state belongs to one server (its /meta server id). Logging in to another one
    while questionnaires here were accepted by the first raises ServerChanged, unless `switch_server`:
    then what the new server lacks is queued again (forms.store.server_switch).
    """
    base = server_base(server_url)
    credentials.check_can_keep()  # refuse a weak keychain (unless memory is allowed) before asking the server
    client = SyncClient(base)
    try:
        new_id = client.meta().server_id
        token = client.login(email.strip(), password)
        previous_id = store.setting(SERVER_ID_KEY)
        previous_server = store.setting(SERVER_KEY)
        changed = (
            str(new_id) != previous_id if previous_id and new_id else bool(previous_server) and previous_server != base
        )
        if changed and known_to_a_server(store) and not switch_server:
            client.logout()  # the token just issued is not kept: revoke it
            raise ServerChanged(
                f"Ce serveur ({base}) n'est pas celui qui a reçu vos questionnaires ({previous_server})."
            )
    finally:
        client.close()
    previous_server, previous_email = store.setting(SERVER_KEY), store.setting(EMAIL_KEY)
    if previous_server and previous_email and (previous_server, previous_email) != (base, email.strip()):
        credentials.forget_token(previous_server, previous_email)
    if changed:
        requeue_for_new_server(store)
        Remote(store).reset_cursor()
    credentials.save_token(base, email.strip(), token.access_token)
    store.set_setting(SERVER_KEY, base)
    store.set_setting(EMAIL_KEY, email.strip())
    store.set_setting(ORGANISATION_KEY, token.organisation)
    store.set_setting(ACCOUNT_CAF_KEY, token.caf)  # the notices' author, « la Caf 73 »
    store.set_setting(SERVER_ID_KEY, str(new_id) if new_id else None)
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


def logout(store: Store) -> bool:
    """Revoke the token on the server, then forget it here; False when the server could not be told
    (offline: the token is forgotten anyway and expires on the server unused)."""
    found = account(store)
    if not found:
        return True
    token = credentials.load_token(*found)
    revoked = True
    if token:
        client = SyncClient(found[0], token=token)
        try:
            client.logout()
        except SyncError:
            revoked = False
        finally:
            client.close()
    credentials.forget_token(*found)
    return revoked
