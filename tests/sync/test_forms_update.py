"""A new campaign or form version reaches partners through the sync, without reinstalling (DESIGN §6)."""

from __future__ import annotations

from pathlib import Path

from forms.definition import load_definition
from forms.registry import FormRegistry
from forms.store import Store
from sync import account
from sync.engine import Synchroniser
from tests.conftest import TEST_FORMS
from tests.server.conftest import PASSWORD, Client
from tests.sync.support import LiveServer


def test_a_form_served_by_the_server_is_kept_for_the_next_start(
    tmp_path: Path, live_server: LiveServer, partner: Client
) -> None:
    essai = load_definition(TEST_FORMS / "clas-essai-v2.json")
    live_server.ctx.registry.add(essai)
    data = tmp_path / "poste"
    store = Store.open(data, FormRegistry.load(data / "forms"))  # only the shipped definitions
    assert ("clas-essai", 2) not in store.registry
    try:
        account.login(store, live_server.url, partner.email, PASSWORD)
        result = Synchroniser(store, account.connected_client(store)).run()
        assert result.new_forms == 1
        assert "1 nouveau formulaire reçu" in result.text()
        assert store.registry.get("clas-essai", 2) == essai
        again = Synchroniser(store, account.connected_client(store)).run()
        assert again.new_forms == 0  # nothing downloaded twice
    finally:
        store.close()
    assert FormRegistry.load(data / "forms").get("clas-essai", 2) == essai  # as the app loads at its next start
