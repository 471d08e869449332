"""A sync does not download again the changes its own push caused (sync/engine.py _skip_own_changes).

Each receipt names the feed range of the rows it describes (the version and its state change); the
client moves its cursor over a chain of such ranges starting at its cursor, once the receipts are
committed. Real server, real stores. What must still arrive does: what the Caf does between the push
and the last pull, the notices a version resolved, and everything on the association's other
computer. Negative control: receipts without their ranges, and the same sync downloads its rows.

Also here: the documents of a batch's items go up in parallel before its request (a barrier that
only two uploads running at once can pass; its control, uploads one by one, breaks it).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import Store
from sync import account, credentials
from sync.batch import BatchSynchroniser
from sync.client import SyncClient
from sync.engine import Synchroniser
from sync.protocol import ChangesPage, PushItemResult, VersionAccepted
from tests.server.conftest import PASSWORD, Client
from tests.sync.support import LiveServer, fill_and_transmit
from tests.sync.test_pull import state_of


class Counting(SyncClient):
    """The real client, counting the changes the feed serves it."""

    served = 0

    def changes(self, since: str | None, limit: int = 200) -> ChangesPage:
        page = super().changes(since, limit)
        self.served += len(page.changes)
        return page


class NoRanges(Counting):
    """Test-only: an older server's receipts, without the feed ranges (the negative control)."""

    def put_version(self, questionnaire_id: str, version_id: str, body: bytes) -> tuple[VersionAccepted, bool]:
        accepted, replayed = super().put_version(questionnaire_id, version_id, body)
        return accepted.model_copy(update={"feed_before": None, "feed_through": None}), replayed

    def push_batch(self, items: list[tuple[str, str, bytes]]) -> list[PushItemResult]:
        return [
            r.model_copy(update={"body": r.body.model_copy(update={"feed_before": None, "feed_through": None})})
            if isinstance(r.body, VersionAccepted)
            else r
            for r in super().push_batch(items)
        ]


def synchroniser(
    store: Store, server: LiveServer, partner: Client, batch: bool, kind: type[Counting] = Counting
) -> Any:
    client = kind(server.url, token=credentials.load_token(server.url, partner.email))
    return (BatchSynchroniser if batch else Synchroniser)(store, client)


@pytest.fixture
def second(tmp_path: Path, registry: FormRegistry, live_server: LiveServer, partner: Client) -> Store:
    """The association's other computer, logged in, that has never synced."""
    store = Store.open(tmp_path / "second", registry)
    account.login(store, live_server.url, partner.email, PASSWORD)
    yield store  # type: ignore[misc]
    store.close()


@pytest.mark.parametrize("batch", [False, True], ids=["put", "batch"])
def test_a_sync_downloads_none_of_its_own_changes(
    client_store: Store, live_server: LiveServer, partner: Client, second: Store, batch: bool
) -> None:
    fill_and_transmit(client_store, 6)
    sync = synchroniser(client_store, live_server, partner, batch)
    assert sync.run().sent == 6
    assert sync.client.served == 0  # neither the 6 versions nor their 6 states came back
    assert sync.run().sent == 0
    assert sync.client.served == 0

    other = synchroniser(second, live_server, partner, batch)
    assert other.run().summary.received == 6  # the other computer gets them all
    assert other.client.served == 12
    assert state_of(second) == state_of(client_store)


@pytest.mark.parametrize("batch", [False, True], ids=["put", "batch"])
def test_without_the_ranges_the_same_sync_downloads_its_own_changes(
    client_store: Store, live_server: LiveServer, partner: Client, batch: bool
) -> None:
    fill_and_transmit(client_store, 6)
    sync = synchroniser(client_store, live_server, partner, batch, NoRanges)
    assert sync.run().sent == 6
    assert sync.client.served == 12  # the control: the count does see the rows when they come


class CafBetween(BatchSynchroniser):
    """`bilan-clas sync`'s synchroniser; the Caf acts after the push, before the last pull."""

    caf_action: Any = None

    def _skip_own_changes(self) -> None:
        self.caf_action()
        super()._skip_own_changes()


def test_what_the_caf_does_between_push_and_pull_and_the_notices_resolved_still_arrive(
    client_store: Store, live_server: LiveServer, partner: Client, reviewer: Client, second: Store
) -> None:
    first, returned = fill_and_transmit(client_store, 2)
    assert synchroniser(client_store, live_server, partner, True).run().sent == 2
    notice = reviewer.post(f"/review/questionnaires/{returned}/notices", json={"question_id": None, "message": "Vu ?"})
    assert notice.status_code == 201, notice.text
    assert reviewer.post(f"/review/questionnaires/{returned}/return").status_code == 200
    assert synchroniser(client_store, live_server, partner, True).run().summary.states[Status.A_CORRIGER] == 1

    client_store.transmit(returned)  # the correction resolves the Caf's notice on the server
    fresh = fill_and_transmit(client_store, 3, tag=" bis")
    client = Counting(live_server.url, token=credentials.load_token(live_server.url, partner.email))
    sync = CafBetween(client_store, client)

    def caf_action() -> None:  # on a questionnaire whose rows this very push has just caused
        answer = reviewer.post(
            f"/review/questionnaires/{fresh[1]}/notices", json={"question_id": None, "message": "Et là ?"}
        )
        assert answer.status_code == 201, answer.text

    sync.caf_action = caf_action
    result = sync.run()
    assert result.sent == 4
    # The chain of own rows stops at the resolved notice (not in the receipt): from there, everything
    # comes down, the Caf's new notice included.
    assert client.served > 0
    assert [n.message for n in client_store.notices(fresh[1])] == ["Et là ?"]
    assert [n.status for n in client_store.notices(returned)] == ["resolved"]
    assert synchroniser(second, live_server, partner, True).run().summary.received == 5
    assert state_of(second) == state_of(client_store)
    assert first in state_of(client_store)


class Together(SyncClient):
    """The real client; its first two document uploads wait for each other (they must run at once)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meet = threading.Barrier(2, timeout=30)
        self.uploads = 0
        self.lock = threading.Lock()

    def put_attachment(self, questionnaire_id: str, sha256: str, content: bytes, media_type: str) -> Any:
        with self.lock:
            self.uploads += 1
            first_two = self.uploads <= 2
        if first_two:
            self.meet.wait()  # one after the other, the first would wait alone and break the barrier
        return super().put_attachment(questionnaire_id, sha256, content, media_type)


@pytest.mark.parametrize("workers", [4, 1], ids=["parallel", "one-by-one"])
def test_documents_go_up_in_parallel_before_their_request(
    client_store: Store, live_server: LiveServer, partner: Client, workers: int
) -> None:
    fill_and_transmit(client_store, 4, documents_every=1)
    client = Together(live_server.url, token=credentials.load_token(live_server.url, partner.email))
    client.meet = threading.Barrier(2, timeout=30 if workers > 1 else 0.5)
    sync = BatchSynchroniser(client_store, client)
    sync.upload_workers = workers
    if workers == 1:  # the control: uploads one after the other never meet
        with pytest.raises(threading.BrokenBarrierError):
            sync.run()
        return
    assert sync.run().sent == 4  # the server accepted each version: its document was there before it
    assert client.uploads == 4
