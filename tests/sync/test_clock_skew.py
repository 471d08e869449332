"""The chaos run with the client's clock wrong (issue 10's fault tests): two days behind, a year
ahead, and jumping between the two during the sync. The server keeps its own time; the client
stamps its edits, attempts and backoff deadlines with its skewed clock. The results must be the
same as with a right clock: every questionnaire exactly once on the server, nothing lost, and the
automatic sync (which only sends what is due) still drains the outbox.

Seeded like the chaos run: BILAN_CLAS_CHAOS_SEED replays a failure (the seed is in its message).
The negative control disables the guard against deadlines set by a clock that was far ahead, and
the jumping clock then strands transmissions.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from forms.store import Store
from forms.store import outbox as outbox_module
from forms.store import remote as remote_module
from forms.store import store as store_module
from forms.store.outbox import Outbox
from sync import credentials
from sync.client import SyncClient
from sync.engine import Backoff, Synchroniser
from sync.errors import Transient
from tests.server.conftest import Client
from tests.sync.proxy import FaultProxy
from tests.sync.support import LiveServer, assert_exactly_once, audit, chaos_seed, fill_and_transmit, no_sleep

COUNT = 40
FAULT_RATE = 0.30
TIMEOUT = (1.0, 0.5)


class SkewedClock:
    """The client's clock: the true time shifted by `offsets[0]`, then by the next offset every
    `jump_every` readings, staying at the last one (a clock set a year ahead, then corrected)."""

    def __init__(self, offsets: list[dt.timedelta], jump_every: int = 0) -> None:
        self.all_offsets = offsets
        self.jump_every = jump_every
        self.restart()

    def restart(self) -> None:
        """Back to the first offset: the jumps happen during the sync, not while the test fills the store."""
        self.offsets = itertools.chain(self.all_offsets[1:], itertools.repeat(self.all_offsets[-1]))
        self.offset = self.all_offsets[0]
        self.readings = 0

    def __call__(self) -> dt.datetime:
        self.readings += 1
        if self.jump_every and self.readings % self.jump_every == 0:
            self.offset = next(self.offsets)
        return dt.datetime.now(dt.UTC) + self.offset


SKEWS = {
    "two days behind": ([dt.timedelta(days=-2)], 0),
    "a year ahead": ([dt.timedelta(days=365)], 0),
    "jumping mid-sync": ([dt.timedelta(days=365), dt.timedelta(days=-2), dt.timedelta(0)], 25),
}


def skew(monkeypatch: pytest.MonkeyPatch, clock: SkewedClock) -> None:
    for module in (store_module, outbox_module, remote_module):
        monkeypatch.setattr(module, "utc_now", clock)


def automatic_until_empty(sync: Synchroniser, max_runs: int, context: str) -> int:
    """The app's automatic sync (force=False: only what is due) until the outbox is empty."""
    runs = 0
    while Outbox(sync.store).count():
        assert runs < max_runs, f"{context}: {Outbox(sync.store).count()} still waiting after {runs} automatic syncs"
        runs += 1
        try:
            sync.run(force=False)
        except Transient:
            continue
    return runs


def chaos_with_skew(
    store: Store, server: LiveServer, partner: Client, monkeypatch: pytest.MonkeyPatch, name: str
) -> tuple[int, str]:
    offsets, jump_every = SKEWS[name]
    clock = SkewedClock(offsets, jump_every)
    skew(monkeypatch, clock)
    seed = chaos_seed()
    fill_and_transmit(store, COUNT)
    clock.restart()
    token = credentials.load_token(server.url, partner.email)
    context = f"clock {name}, chaos seed={seed} (replay: BILAN_CLAS_CHAOS_SEED={seed})"
    with FaultProxy(server.port, seed=seed, fault_rate=FAULT_RATE) as proxy:
        client = SyncClient(proxy.url, token=token, timeout=TIMEOUT)
        # A real backoff (seconds to minutes): what is postponed must come due by the skewed clock.
        sync = Synchroniser(
            store, client, attempts_per_run=1, backoff=Backoff(base=0.001, cap=0.01), sleep=no_sleep, clock=clock
        )  # every fault postpones its item: its deadline is set by the skewed clock
        try:
            runs = automatic_until_empty(sync, 3 * COUNT, context)
        finally:
            client.close()
    found = audit(store, server, server.organisation_id(partner.email))
    assert_exactly_once(found, COUNT, f"{context}: {found.line()}")
    return runs, f"{context}: {proxy.stats.total} requests, {sum(proxy.stats.faults.values())} faults, {runs} runs"


@pytest.mark.slow
@pytest.mark.parametrize("name", SKEWS)
def test_chaos_with_a_wrong_client_clock_gives_the_same_results(
    client_store: Store, live_server: LiveServer, partner: Client, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    _runs, figures = chaos_with_skew(client_store, live_server, partner, monkeypatch, name)
    print(figures)


@pytest.mark.slow
def test_negative_control_without_the_guard_a_clock_set_ahead_strands_transmissions(
    client_store: Store, live_server: LiveServer, partner: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deadlines set a year ahead then taken at face value: the automatic sync never sends them."""
    monkeypatch.setattr(outbox_module, "MAX_POSTPONEMENT", dt.timedelta(days=1000))
    with pytest.raises(AssertionError, match="still waiting after"):
        chaos_with_skew(client_store, live_server, partner, monkeypatch, "jumping mid-sync")
