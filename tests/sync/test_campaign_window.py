"""The partner's own campaign window travels with the sync (issue 12 items 1, 2, 9): a Caf closes its
collection while the national window is open; the app learns it at the next sync and warns before
*Transmettre*; the server refuses the transmission with `campaign_closed`, and nothing is lost."""

from __future__ import annotations

import datetime as dt

from forms.campaign import window_of
from forms.overview import questionnaire_state
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account
from sync.engine import Synchroniser
from sync.server import campaigns
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import PASSWORD
from tests.sync.support import LiveServer


def test_a_caf_closed_window_is_seen_warned_and_refused(store: Store, live_server: LiveServer) -> None:
    closed, still_open = live_server.api.partner(caf="38"), live_server.api.partner(caf="73")
    today = campaigns.local_today(live_server.ctx.now())
    campaigns.set_window(live_server.ctx, FORM_ID, opens=None, closes=today - dt.timedelta(days=2), caf="38")
    account.login(store, live_server.url, closed.email, PASSWORD)
    uuid = store.create(form_id=FORM_ID, title="Action de Grenoble", answers=complete_answers()).uuid
    definition = store.definition(uuid)

    Synchroniser(store, account.connected_client(store)).run()
    window = window_of(store, definition)
    assert window.from_server
    assert window.closes == today - dt.timedelta(days=2)
    state = questionnaire_state(store, uuid)
    assert state.campaign == f"Campagne close depuis le {window.closes:%d/%m/%Y}"
    assert state.transmit_warning is not None
    assert "Contactez votre Caf" in state.transmit_warning

    store.transmit(uuid)  # the user was warned and chose to freeze it
    Synchroniser(store, account.connected_client(store)).run()
    [item] = Outbox(store).items(uuid)
    assert item.last_error_code == "campaign_closed"
    assert store.answers(uuid) == complete_answers()  # nothing lost

    # The other Caf's partner sees the national window, open: no warning (negative control).
    other = Store.open(store.path.parent.parent / "autre-poste", store.registry)
    try:
        account.login(other, live_server.url, still_open.email, PASSWORD)
        Synchroniser(other, account.connected_client(other)).run()
        mine = other.create(form_id=FORM_ID, title="Action de Chambéry", answers=complete_answers()).uuid
        assert questionnaire_state(other, mine).transmit_warning is None
        assert questionnaire_state(other, mine).campaign.startswith("Campagne ouverte jusqu'au ")
    finally:
        other.close()
