"""*Annuler* during a sync whose reply trickles (issue 10, item 9): the request under way is cut at
once, the sync ends as interrupted, and the transmission stays in the outbox. Real widgets, a
scripted server on 127.0.0.1 sending one byte every 50 ms (20 s in all)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from forms.store.outbox import Outbox
from tests.sync.fakeserver import FakeServer
from tests.sync.support import fill_and_transmit
from tests.sync.test_client_limits import Trickle, logged_in
from tests.sync.test_hostile import EMPTY_PAGE


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path) -> Iterator[MainWindow]:
    main = MainWindow(data_dir)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: main.sync is not None)
    yield main
    main.close()


def test_cancel_cuts_a_trickling_request_at_once(qtbot: QtBot, window: MainWindow) -> None:
    assert window.session is not None
    assert window.sync is not None
    store = window.session.store
    (qid,) = fill_and_transmit(store, 1)
    trickle = Trickle(pause=0.05, total_bytes=400)
    with FakeServer({("GET", "/changes"): EMPTY_PAGE, ("PUT", "/questionnaires/"): trickle}) as fake:
        logged_in(store, fake.url)
        window._manual_sync = False  # no modal box: the status bar carries the result
        window.sync.synchronise(manual=True)
        qtbot.waitUntil(
            lambda: (
                ("PUT", f"/api/v1/questionnaires/{qid}/versions/")
                in [(m, p.rsplit("/", 1)[0] + "/") for m, p in fake.requests]
            ),
            timeout=10_000,
        )
        started = time.monotonic()
        with qtbot.waitSignal(window.sync.synced, timeout=3_000) as blocker:
            window.sync.cancel()
        elapsed = time.monotonic() - started
        trickle.stop.set()
    assert blocker.args[0].cancelled
    assert elapsed < 3.0
    (item,) = Outbox(store).items(qid)
    assert item.state == "pending"
