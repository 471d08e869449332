"""Pull: the change feed applied idempotently, each page with its cursor (research §4.5, §4.7 T6).

A partner's activity on the real server (transmissions, notices, a return, a validation, a Caf
edit) is pulled by a second computer of the same association, in pages of 4: applying everything
twice changes nothing, a crash between two pages resumes from the stored cursor without loss, and
a cursor the server no longer knows restarts from scratch. Both computers end up agreeing.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

import sync.engine
from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import NotEditable, Store
from forms.store.remote import Remote, SyncSummary
from sync import account, credentials
from sync.client import SyncClient
from sync.engine import Synchroniser, SyncResult, _record
from sync.protocol import ChangesPage
from sync.server.feed import encode_cursor
from tests.forms.sample_answers import complete_answers
from tests.server.conftest import PASSWORD, Client, version_body
from tests.sync.support import LiveServer, dump, fill_and_transmit

PAGE = 4


class Crash(BaseException):
    """The process stops dead here (nothing catches it, as nothing survives a kill)."""


class Feed(SyncClient):
    """The real client, keeping what it asked and received; it "crashes" after `pages` pages."""

    def __init__(self, *args: Any, pages: int = 10**6, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pages = pages
        self.asked: list[str | None] = []
        self.served: list[ChangesPage] = []

    def changes(self, since: str | None, limit: int = 200) -> ChangesPage:
        self.asked.append(since)
        if len(self.served) == self.pages:
            raise Crash
        page = super().changes(since, limit)
        self.served.append(page)
        return page


def state_of(store: Store) -> dict[str, Any]:
    """What a user sees of each questionnaire, without local-only details (title, local times)."""
    return {
        info.uuid: {
            "status": info.status,
            "answers": store.answers(info.uuid),
            "versions": [(v.version_id, v.server_rev, v.author, v.payload_sha256) for v in store.versions(info.uuid)],
            "notices": sorted((n.notice_id, n.question_id, n.message, n.status) for n in store.notices(info.uuid)),
            "conflicts": Remote(store).conflicts(info.uuid),
        }
        for info in store.list()
    }


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync.engine, "PAGE_SIZE", PAGE)


@pytest.fixture
def activity(client_store: Store, live_server: LiveServer, reviewer: Client) -> list[str]:
    """Four transmissions, then the Caf: notices on two, returns one, validates one, edits one."""
    uuids = fill_and_transmit(client_store, 4)
    assert Synchroniser(client_store, account.connected_client(client_store)).run().sent == 4
    returned, noted, validated, edited = uuids
    for qid, question in ((returned, "nb_familles"), (noted, None)):
        answer = reviewer.post(
            f"/review/questionnaires/{qid}/notices", json={"question_id": question, "message": "À vérifier."}
        )
        assert answer.status_code == 201, answer.text
    assert reviewer.post(f"/review/questionnaires/{returned}/return").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{validated}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{validated}/validate").status_code == 200
    base = client_store.versions(edited)[0]
    caf_answers = {**base.answers, "lieu_action": "Maison de quartier du Biollay, salle 2"}
    caf_edit = reviewer.put_version(
        uuid.UUID(edited), uuid.uuid4(), version_body(caf_answers, base=uuid.UUID(base.version_id))
    )
    assert caf_edit.status_code == 201, caf_edit.text
    return uuids


@pytest.fixture
def second(tmp_path: Path, registry: FormRegistry, live_server: LiveServer, partner: Client) -> Store:
    """Another computer of the same association, logged in, that has never synced."""
    store = Store.open(tmp_path / "second", registry)
    account.login(store, live_server.url, partner.email, PASSWORD)
    yield store  # type: ignore[misc]
    store.close()


def feed_client(store: Store, server: LiveServer, partner: Client, pages: int = 10**6) -> Feed:
    return Feed(server.url, token=credentials.load_token(server.url, partner.email), pages=pages)


def test_both_computers_see_what_the_caf_did(activity: list[str], client_store: Store, second: Store) -> None:
    Synchroniser(client_store, account.connected_client(client_store)).run()
    result = Synchroniser(second, account.connected_client(second)).run()

    returned, noted, validated, edited = activity
    assert result.summary.received == 4
    assert state_of(second) == state_of(client_store)
    seen = state_of(second)
    assert [seen[q]["status"] for q in activity] == [Status.A_CORRIGER, Status.TRANSMIS, Status.VALIDE, Status.TRANSMIS]
    assert [n[1] for n in seen[returned]["notices"]] == ["nb_familles"]
    assert [n[1] for n in seen[noted]["notices"]] == [None]
    assert seen[edited]["answers"]["lieu_action"] == "Maison de quartier du Biollay, salle 2"
    assert [v[2] for v in seen[edited]["versions"]] == ["partner", "caf"]
    assert seen[returned]["answers"] == complete_answers() | {"lieu_action": seen[returned]["answers"]["lieu_action"]}


@pytest.mark.parametrize("size", [PAGE, 100])
def test_applying_a_page_twice_changes_nothing(
    activity: list[str], second: Store, live_server: LiveServer, partner: Client, size: int
) -> None:
    client = feed_client(second, live_server, partner)
    remote, since, pages = Remote(second), None, 0
    while True:
        page = client.changes(since, size)
        records = [_record(c) for c in page.changes]
        first = remote.apply(records, page.next_cursor)
        once = dump(second)
        again = remote.apply(records, page.next_cursor)
        assert dump(second) == once
        assert again == SyncSummary()  # no news announced twice
        assert first != SyncSummary()
        pages, since = pages + 1, page.next_cursor
        if not page.has_more:
            break
    assert pages == -(-13 // size)  # 13 changes


def test_replaying_the_whole_feed_ends_where_it_was(
    activity: list[str], second: Store, live_server: LiveServer, partner: Client
) -> None:
    client = feed_client(second, live_server, partner)
    Synchroniser(second, client).pull(SyncResult())
    once = dump(second)

    Remote(second).reset_cursor()  # what `cursor_invalid` does
    again = SyncResult()
    Synchroniser(second, client).pull(again)

    assert dump(second) == once
    assert again.summary.received == again.summary.notices == again.summary.caf_edits == 0
    assert again.summary.states[Status.VALIDE] == 0  # a validated questionnaire never moved


def test_a_crash_between_pages_resumes_from_the_stored_cursor(
    activity: list[str], second: Store, client_store: Store, live_server: LiveServer, partner: Client
) -> None:
    crashing = feed_client(second, live_server, partner, pages=2)
    with pytest.raises(Crash):
        Synchroniser(second, crashing).pull(SyncResult())

    first_two = crashing.served
    assert Remote(second).cursor() == first_two[1].next_cursor  # stored with page 2, in its transaction
    applied_versions = sum(c.type == "questionnaire.version" for page in first_two for c in page.changes)
    assert sum(len(s["versions"]) for s in state_of(second).values()) == applied_versions

    resumed = feed_client(second, live_server, partner)
    Synchroniser(second, resumed).pull(SyncResult())
    assert resumed.asked[0] == first_two[1].next_cursor  # from where it stopped, not from scratch
    Synchroniser(client_store, account.connected_client(client_store)).pull(SyncResult())
    assert state_of(second) == state_of(client_store)  # nothing lost


@pytest.mark.parametrize("bogus", ["pas-un-curseur", "future"])
def test_an_unknown_cursor_restarts_from_scratch(
    activity: list[str], second: Store, client_store: Store, live_server: LiveServer, partner: Client, bogus: str
) -> None:
    if bogus == "future":  # the server's database was replaced by an older one
        bogus = encode_cursor(live_server.organisation_id(partner.email), 10_000)
    Remote(second).apply([], bogus)
    client = feed_client(second, live_server, partner)
    Synchroniser(second, client).pull(SyncResult())

    assert client.asked[:2] == [bogus, None]
    Synchroniser(client_store, account.connected_client(client_store)).pull(SyncResult())
    assert state_of(second) == state_of(client_store)
    assert Remote(second).cursor() == Remote(client_store).cursor()


def test_a_replay_interrupted_between_pages_never_unlocks_a_validated_questionnaire(
    client_store: Store, second: Store, live_server: LiveServer, partner: Client, reviewer: Client
) -> None:
    """After `cursor_invalid` the feed is applied again from the start: each questionnaire walks its
    history again. Cut short between two pages, it must not be left in an older state that unlocks it."""
    (qid,) = fill_and_transmit(client_store, 1)
    Synchroniser(client_store, account.connected_client(client_store)).run()
    assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200
    Synchroniser(client_store, account.connected_client(client_store)).run()
    client_store.set_answer(qid, "nb_familles", 26)
    client_store.transmit(qid)
    Synchroniser(client_store, account.connected_client(client_store)).run()
    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{qid}/validate").status_code == 200
    Synchroniser(second, account.connected_client(second)).run()
    assert second.get(qid).status == Status.VALIDE

    everything = feed_client(second, live_server, partner)
    probe = Store.open(second.path.parent / "probe", second.registry)
    try:
        Synchroniser(probe, everything).pull(SyncResult())
    finally:
        probe.close()
    returned_on = next(
        n for n, page in enumerate(everything.served) if any(c.data.get("state") == "a_corriger" for c in page.changes)
    )
    Remote(second).reset_cursor()
    with pytest.raises(Crash):
        Synchroniser(second, feed_client(second, live_server, partner, pages=returned_on + 1)).pull(SyncResult())

    assert second.get(qid).status == Status.VALIDE
    with pytest.raises(NotEditable):
        second.set_answer(qid, "nb_familles", 27)
