"""forms.campaign: the French line for each phase of a window, and the windows kept from the server."""

from __future__ import annotations

import datetime as dt

from forms.campaign import WINDOWS_KEY, Phase, Window, record_windows, window_of
from forms.store import Store
from tests.conftest import OFFICIAL_FORM

W = Window(dt.date(2027, 9, 1), dt.date(2027, 10, 15), True)


def test_each_phase_has_its_french_line() -> None:
    assert W.label(dt.date(2027, 10, 15)) == "Campagne ouverte jusqu'au 15/10/2027"  # the last day counts
    assert W.label(dt.date(2027, 10, 16)) == "Campagne close depuis le 15/10/2027"
    assert W.phase(dt.date(2027, 8, 20)) is Phase.SOON
    assert W.label(dt.date(2027, 8, 20)) == "Campagne bientôt ouverte : du 01/09/2027 au 15/10/2027"
    assert W.phase(dt.date(2027, 1, 1)) is Phase.NOT_YET
    assert W.transmit_warning(dt.date(2027, 9, 30)) is None
    closed = W.transmit_warning(dt.date(2027, 11, 1))
    assert closed is not None
    assert closed.startswith("La campagne est close depuis le 15/10/2027")
    early = W.transmit_warning(dt.date(2027, 8, 1))
    assert early is not None
    assert early.startswith("La campagne n'ouvre que le 01/09/2027")


def test_the_servers_window_wins_and_a_damaged_setting_falls_back(store: Store) -> None:
    definition = store.registry.get(OFFICIAL_FORM)
    assert window_of(store, definition) == Window(definition.campaign.opens, definition.campaign.closes, False)
    record_windows(store, [(OFFICIAL_FORM, dt.date(2025, 9, 1), dt.date(2027, 10, 15)), ("autre", None, None)])
    assert window_of(store, definition) == Window(dt.date(2025, 9, 1), dt.date(2027, 10, 15), True)
    store.set_setting(WINDOWS_KEY, '{"clas-2024-2025": {"opens": "hier"}}')
    assert not window_of(store, definition).from_server
