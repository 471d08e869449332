"""Authentication and the keychain (research anchors-sync-reliability §3.3, §4.7 T12; DESIGN §6).

A 401 in the middle of a sync stops it, asks to log in again and loses nothing; a keychain that
cannot protect a secret is refused before anything is written or asked; the token is never in the
SQLite file, settings.ini or any other file of the data folder.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from keyring.backend import KeyringBackend
from sqlmodel import func, select

from desktop.settings import Settings as DesktopSettings
from forms.lifecycle import Status
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account, credentials
from sync.engine import Synchroniser
from sync.errors import AuthRequired, WeakKeyring
from sync.server.models import ApiToken
from tests.server.conftest import PASSWORD, Client
from tests.support.memkeyring import MemoryKeyring
from tests.sync.support import LiveServer, assert_exactly_once, audit, fill_and_transmit


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tokens_issued(server: LiveServer) -> int:
    with server.ctx.db.read() as session:
        return int(session.exec(select(func.count()).select_from(ApiToken)).one())


def test_a_401_mid_sync_asks_to_log_in_again_and_loses_nothing(
    client_store: Store, live_server: LiveServer, partner: Client
) -> None:
    store = client_store
    uuids = fill_and_transmit(store, 3)

    def expire_after_first(done: int, total: int, text: str) -> None:
        if text.startswith("1 envoi(s) traité(s)"):  # the token expires while the sync runs
            live_server.clock.advance(dt.timedelta(days=31))

    with pytest.raises(AuthRequired) as expired:
        Synchroniser(store, account.connected_client(store)).run(report=expire_after_first)
    assert str(expired.value) == "Votre connexion au serveur a expiré : reconnectez-vous. Rien n'est perdu."
    statuses = [store.get(u).status for u in uuids]
    assert statuses == [Status.TRANSMIS, Status.A_ENVOYER, Status.A_ENVOYER]
    assert Outbox(store).count("pending") == 2
    assert [i.attempts for u in uuids[1:] for i in Outbox(store).items(u)] == [0, 0]  # not counted as a failure

    account.login(store, live_server.url, partner.email, PASSWORD)
    result = Synchroniser(store, account.connected_client(store)).run()
    assert result.sent == 2
    assert_exactly_once(audit(store, live_server, live_server.organisation_id(partner.email)), 3, "401")


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring, keyring.backends.null.Keyring])
def test_a_weak_keychain_is_refused_before_anything_is_written(
    store: Store, live_server: LiveServer, partner: Client, data_dir: Path, backend: type[KeyringBackend]
) -> None:
    (qid,) = fill_and_transmit(store, 1)
    keyring.set_keyring(backend())  # the conftest fixture puts the in-memory one back afterwards
    before, issued = files_of(data_dir), tokens_issued(live_server)

    with pytest.raises(WeakKeyring) as refused:
        account.login(store, live_server.url, partner.email, PASSWORD)

    message = str(refused.value)
    assert message.startswith("Aucun trousseau sécurisé n'est disponible sur cet ordinateur")
    assert "jamais en clair" in message
    assert files_of(data_dir) == before  # no token, no server address, nothing
    assert (store.setting(account.SERVER_KEY), store.setting(account.EMAIL_KEY)) == (None, None)
    assert tokens_issued(live_server) == issued  # the server was not even asked
    with pytest.raises(WeakKeyring):
        credentials.save_token(live_server.url, partner.email, "x" * 40)
    assert store.get(qid).status == Status.A_ENVOYER


def test_the_token_is_in_the_keychain_and_in_no_file(
    client_store: Store, live_server: LiveServer, partner: Client, data_dir: Path, memory_keyring: MemoryKeyring
) -> None:
    store = client_store
    fill_and_transmit(store, 2)
    assert Synchroniser(store, account.connected_client(store)).run().sent == 2
    desktop = DesktopSettings(data_dir)  # the app remembers the address in settings.ini
    desktop.set_server_url(live_server.url)
    desktop.sync()
    token = credentials.load_token(live_server.url, partner.email)
    assert token
    assert token in memory_keyring.secrets.values()

    found = files_of(data_dir)
    assert {"bilan-clas.sqlite3", "settings.ini"} <= set(found)
    assert live_server.url.encode() in found["settings.ini"]
    for name, content in found.items():  # the .sqlite3, its -wal and -shm, settings.ini
        assert token.encode() not in content, name
    for path in live_server.database.parent.glob(live_server.database.name + "*"):  # the server keeps a hash only
        assert token.encode() not in path.read_bytes(), path
