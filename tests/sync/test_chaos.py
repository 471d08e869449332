"""Push under chaos (research anchors-sync-reliability §2.6 F3/F4, §4.7 T1 and its negative control T14).

500 questionnaires are transmitted, then the real Synchroniser runs again and again (as the app
does each time the server is reachable) through a proxy that breaks ~30% of the exchanges before
or after the server commits, holds replies past the client's read timeout, or cuts them after k
bytes. Exactly 500 questionnaires and 500 versions must reach the server: nothing twice, nothing
lost, the same ids and payload hashes on both sides. The negative control runs the same chaos with
a client that changes the idempotency key on each new attempt, and the same audit must fail.

Seeded: set BILAN_CLAS_CHAOS_SEED to replay a run (the seed is in every failure message).
"""

from __future__ import annotations

import uuid
from collections import Counter

import pytest

from forms.store import Store
from sync import credentials
from sync.client import SyncClient
from sync.protocol import PushItemResult, VersionAccepted
from tests.server.conftest import Client
from tests.sync.proxy import AFTER_COMMIT, ALL_FAULTS, BEFORE_COMMIT, FaultProxy, ProxyStats
from tests.sync.support import (
    Audit,
    LiveServer,
    assert_exactly_once,
    audit,
    chaos_seed,
    fast_synchroniser,
    fill_and_transmit,
    integrity_check,
    server_documents,
    sync_until_empty,
)

QUESTIONNAIRES = 500
CONTROL_QUESTIONNAIRES = 100
DOCUMENTS_EVERY = 10  # one questionnaire in ten carries a document, uploaded before its version
FAULT_RATE = 0.30
TIMEOUT = (1.0, 0.5)  # connect, read: a held reply costs half a second


class NewKeyOnRetry(SyncClient):
    """Test-only: the bug the idempotency key exists to prevent. The first attempt of a
    transmission uses its version id; every later attempt sends it under a fresh one."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.tried: set[str] = set()

    def put_version(self, questionnaire_id: str, version_id: str, body: bytes) -> tuple[VersionAccepted, bool]:
        key = version_id if version_id not in self.tried else str(uuid.uuid4())
        self.tried.add(version_id)
        return super().put_version(questionnaire_id, key, body)


class BatchRetries(SyncClient):
    """Counts, for the batch path, the versions sent again under the same key (the proxy counts PUTs)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sent: Counter[str] = Counter()

    def push_batch(self, items: list[tuple[str, str, bytes]]) -> list[PushItemResult]:
        self.sent.update(vid for _q, vid, _b in items)
        return super().push_batch(items)


class NewKeyOnRetryBatch(BatchRetries):
    """Test-only, batch path: the same bug as NewKeyOnRetry, a fresh version id on every later attempt."""

    def push_batch(self, items: list[tuple[str, str, bytes]]) -> list[PushItemResult]:
        keyed = [(q, vid if not self.sent[vid] else str(uuid.uuid4()), b) for q, vid, b in items]
        self.sent.update(vid for _q, vid, _b in items)
        return SyncClient.push_batch(self, keyed)


def run_chaos(
    store: Store,
    server: LiveServer,
    partner: Client,
    count: int,
    seed: int,
    client_class: type[SyncClient],
    batch: bool = False,
    batch_size: int | None = None,
) -> tuple[Audit, ProxyStats, str]:
    fill_and_transmit(store, count, documents_every=DOCUMENTS_EVERY)
    token = credentials.load_token(server.url, partner.email)
    with FaultProxy(server.port, seed=seed, fault_rate=FAULT_RATE) as proxy:
        client = client_class(proxy.url, token=token, timeout=TIMEOUT)
        try:
            synchroniser = fast_synchroniser(store, client, seed, batch=batch)
            if batch_size is not None:
                synchroniser.batch_size = batch_size  # type: ignore[attr-defined]
            outcome = sync_until_empty(synchroniser, max_runs=30 * count, context=f"seed={seed}")
        except Exception as error:  # anything but an unknown outcome is a bug: say how to replay it
            error.add_note(f"chaos seed={seed} (replay: BILAN_CLAS_CHAOS_SEED={seed})")
            raise
        finally:
            client.close()
    stats = proxy.stats
    if isinstance(client, BatchRetries):
        stats.attempts.update({f"batch {vid}": n for vid, n in client.sent.items()})
    found = audit(store, server, server.organisation_id(partner.email))
    before = sum(stats.faults[k] for k in BEFORE_COMMIT)
    after = sum(stats.faults[k] for k in AFTER_COMMIT)
    figures = (
        f"seed={seed}: {stats.total} requests ({dict(stats.requests)}), {sum(stats.faults.values())} faults "
        f"({before} before commit, {after} after: {dict(sorted(stats.faults.items()))}), "
        f"{stats.retries} PUT retries with the same key, {outcome.runs} sync runs "
        f"({sum(outcome.interrupted.values())} interrupted: {dict(outcome.interrupted)}), "
        f"server statuses {dict(sorted(stats.statuses.items()))}; {found.line()}"
    )
    print(figures)
    return found, stats, figures


@pytest.mark.slow
@pytest.mark.parametrize("batch", [False, True], ids=["put", "batch"])
def test_500_transmissions_under_30_percent_faults_arrive_exactly_once(
    client_store: Store, live_server: LiveServer, partner: Client, batch: bool
) -> None:
    seed = chaos_seed()
    client_class = BatchRetries if batch else SyncClient
    found, stats, figures = run_chaos(client_store, live_server, partner, QUESTIONNAIRES, seed, client_class, batch)

    assert_exactly_once(found, QUESTIONNAIRES, figures)
    assert server_documents(live_server, live_server.organisation_id(partner.email)) == QUESTIONNAIRES // 10, figures
    assert integrity_check(client_store.path) == "ok", figures
    assert integrity_check(live_server.database) == "ok", figures
    # The chaos really happened: every kind of fault, at about the rate asked, and replays answered 200.
    assert set(stats.faults) == set(ALL_FAULTS), figures
    assert 0.2 < sum(stats.faults.values()) / stats.total < 0.4, figures
    assert stats.retries > 0, figures
    assert stats.statuses[200] > 0, figures


@pytest.mark.slow
@pytest.mark.parametrize("batch", [False, True], ids=["put", "batch"])
def test_negative_control_a_new_key_per_attempt_breaks_the_audit(
    client_store: Store, live_server: LiveServer, partner: Client, batch: bool
) -> None:
    """Proves the chaos test can fail: the same faults, the same audit, a client without a stable key."""
    seed = chaos_seed()
    client_class = NewKeyOnRetryBatch if batch else NewKeyOnRetry
    # Small batches, so that the faults fall on enough batch requests for retries to happen at all
    # (100 questionnaires by 50 are only 2 requests).
    found, _stats, figures = run_chaos(
        client_store, live_server, partner, CONTROL_QUESTIONNAIRES, seed, client_class, batch, 5 if batch else None
    )

    with pytest.raises(AssertionError):
        assert_exactly_once(found, CONTROL_QUESTIONNAIRES, figures)
    # Retries under another key are executed as new versions (ghosts the client cannot match) or
    # refused as conflicts with the copy the first attempt already committed.
    assert found.duplicates + found.refused > 0, figures
