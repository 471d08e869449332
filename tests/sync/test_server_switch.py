"""Logging in to another server: refused with a clear French message unless confirmed; once confirmed,
what the new server lacks is queued again and reaches it, exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from forms.lifecycle import Status
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account, credentials
from sync import protocol as p
from sync.engine import Synchroniser
from sync.errors import ServerChanged
from sync.server import accounts
from tests.server.conftest import PASSWORD, TIMEOUT, Client
from tests.sync.support import LiveServer, assert_exactly_once, audit, fill_and_transmit


def test_another_server_must_be_confirmed_then_gets_everything(
    client_store: Store, live_server: LiveServer, partner: Client, tmp_path: Path
) -> None:
    store = client_store
    uuids = fill_and_transmit(store, 3)
    assert Synchroniser(store, account.connected_client(store)).run().sent == 3
    assert {store.get(u).status for u in uuids} == {Status.TRANSMIS}
    second = LiveServer(tmp_path / "second.sqlite3").start()
    try:
        assert second.ctx.server_id != live_server.ctx.server_id
        accounts.create_account(second.ctx, role=accounts.PARTNER, email=partner.email, password=PASSWORD, caf="73")
        with pytest.raises(ServerChanged) as refused:
            account.login(store, second.url, partner.email, PASSWORD)
        assert "n'est pas celui qui a reçu vos questionnaires" in str(refused.value)
        assert account.account(store) == (live_server.url, partner.email)  # nothing changed
        assert {store.get(u).status for u in uuids} == {Status.TRANSMIS}
        # Confirmed: the three go back to the outbox, as first transmissions for the new server.
        account.login(store, second.url, partner.email, PASSWORD, switch_server=True)
        assert {store.get(u).status for u in uuids} == {Status.A_ENVOYER}
        assert Outbox(store).count() == 3
        result = Synchroniser(store, account.connected_client(store)).run()
        assert (result.sent, result.refused) == (3, []), result.text()
        assert {store.get(u).status for u in uuids} == {Status.TRANSMIS}
        assert_exactly_once(audit(store, second, second.organisation_id(partner.email)), 3, "new server")
        # The same server under the same id again: no question asked.
        account.login(store, second.url, partner.email, PASSWORD)
    finally:
        second.close()


def test_the_same_server_asks_nothing(client_store: Store, live_server: LiveServer, partner: Client) -> None:
    fill_and_transmit(client_store, 1)
    assert Synchroniser(client_store, account.connected_client(client_store)).run().sent == 1
    account.login(client_store, live_server.url, partner.email, PASSWORD)
    assert Outbox(client_store).count() == 0
    assert_exactly_once(audit(client_store, live_server, live_server.organisation_id(partner.email)), 1, "same")


def test_logout_revokes_the_token_on_the_server(client_store: Store, live_server: LiveServer, partner: Client) -> None:
    server_url, email = account.account(client_store) or ("", "")
    token = credentials.load_token(server_url, email)
    assert token
    assert account.logout(client_store) is True
    assert credentials.load_token(server_url, email) is None
    revoked = requests.get(
        f"{live_server.url}{p.API_PREFIX}/changes", headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT
    )
    assert revoked.status_code == 401
