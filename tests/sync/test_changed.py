"""A sync says which questionnaires it changed, so that each view refreshes only those."""

from __future__ import annotations

from forms.store import Store
from sync import account
from sync.engine import Synchroniser
from tests.server.conftest import Client
from tests.sync.test_loop import fill, notice_and_return


def test_a_sync_names_what_it_changed_and_nothing_else(client_store: Store, reviewer: Client) -> None:
    sent, untouched = fill(client_store), fill(client_store, "Une autre action")
    client_store.transmit(sent)
    sync = Synchroniser(client_store, account.connected_client(client_store))
    assert sync.run().changed == {sent}
    assert sync.run().changed == set()  # nothing new: no view reloads
    notice_and_return(reviewer, sent)
    result = sync.run()
    assert result.changed == {sent}
    assert untouched not in result.changed
