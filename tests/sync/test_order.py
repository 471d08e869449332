"""Per-questionnaire order, and a stale base merged into a new version (research §4.5).

Two versions of one questionnaire waiting in the outbox go in order, and the second never leaves
before the first is acknowledged. A 409 `stale_base` from the real server, when the other
computer of the association changed other fields meanwhile, is merged into a new version based on
the server's and sent in the same sync; every version stays in the history on both sides.
"""

from __future__ import annotations

import json
import uuid
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from forms.evaluation import transmitted_answers
from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import Store
from forms.store.freezing import freeze_version
from forms.store.outbox import Outbox
from forms.store.store import _iso, utc_now
from sync import account
from sync.client import SyncClient
from sync.engine import Synchroniser
from tests.server.conftest import PASSWORD, Client
from tests.sync.fakeserver import FakeServer, Reply
from tests.sync.support import LiveServer, fast_synchroniser, fill_and_transmit

PLACE = "Maison de quartier du Biollay, salle 2"
BILAN = "Bilan complété par la coordinatrice : trois collectifs, 30 enfants, un café des parents chaque mois."


def queue_second_version(store: Store, qid: str, base: str, nb_familles: int) -> str:
    """Test-only: another version queued behind `base` while it waits, frozen as Store.transmit does.
    (The store queues one transmission per questionnaire today; the outbox must not rely on it.)"""
    definition = store.definition(qid)
    answers = {**store.answers(qid), "nb_familles": nb_familles}
    with store._write() as c:
        return freeze_version(
            c,
            definition=definition,
            questionnaire_uuid=qid,
            answers=transmitted_answers(definition, answers),
            base_version_id=base,
            now=_iso(utc_now()),
        )


class Receipts:
    """The fake server's PUT handler: 201 receipts, but 503 for the first `busy` deliveries of one version."""

    def __init__(self, busy_version: str, busy: int) -> None:
        self.busy_version, self.busy = busy_version, busy
        self.order: list[str] = []

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        parts = handler.path.split("/")  # /api/v1/questionnaires/QID/versions/VID
        qid, vid = parts[4], parts[6]
        self.order.append(vid)
        if vid == self.busy_version and self.busy:
            self.busy -= 1
            reply = Reply(503, b"", "text/plain")
        else:
            rev = len(self.order)
            reply = Reply.json(
                {"questionnaire_id": qid, "version_id": vid, "server_rev": rev, "state": "transmis", "seq": rev}, 201
            )
        handler.send_response(reply.status)
        handler.send_header("Content-Type", reply.content_type)
        handler.send_header("Content-Length", str(len(reply.body)))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(reply.body)


def test_two_versions_of_a_questionnaire_are_sent_in_order(store: Store) -> None:
    (qid,) = fill_and_transmit(store, 1)
    (first,) = [i.op_id for i in Outbox(store).items(qid)]
    (other,) = fill_and_transmit(store, 1, tag=" bis")  # another questionnaire, queued in between
    second = queue_second_version(store, qid, first, 26)
    receipts = Receipts(first, busy=4)
    empty = Reply.json({"changes": [], "next_cursor": "c0", "has_more": False})
    with FakeServer({("GET", "/changes"): empty, ("PUT", "/questionnaires/"): receipts}) as fake:
        sync = fast_synchroniser(store, SyncClient(fake.url, token="jeton-de-test-0123456789-abcdef"))
        result = sync.run()  # the first version meets four 503s: postponed, and the second waits
        other_vid = Outbox(store).items(other)[0].op_id
        assert receipts.order == [first] * 4 + [other_vid]
        assert (result.sent, result.deferred) == (1, 1)
        assert [i.state for i in Outbox(store).items(qid)] == ["pending", "pending"]

        result = sync.run()

    assert receipts.order[5:] == [first, second]
    assert result.sent == 2
    assert [(i.op_id, i.state) for i in Outbox(store).items(qid)] == [(first, "done"), (second, "done")]
    info = store.get(qid)
    assert (info.status, info.base_version_id) == (Status.TRANSMIS, second)
    sent = [json.loads(i.body) for i in Outbox(store).items(qid)]
    assert sent[1]["base_version_id"] == first  # built on the first


def test_a_stale_base_with_other_fields_changed_merges_into_a_new_version(
    client_store: Store, live_server: LiveServer, partner: Client, reviewer: Client, tmp_path: Path,
    registry: FormRegistry,
) -> None:  # fmt: skip
    office = client_store  # the association's office computer
    laptop = Store.open(tmp_path / "laptop", registry)  # the coordinator's laptop, same account
    try:
        account.login(laptop, live_server.url, partner.email, PASSWORD)

        def sync(store: Store) -> Synchroniser:
            return Synchroniser(store, account.connected_client(store))

        (qid,) = fill_and_transmit(office, 1)
        v1 = Outbox(office).items(qid)[0].op_id
        sync(office).run()
        assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200
        sync(office).run()
        sync(laptop).run()
        assert laptop.get(qid).status == office.get(qid).status == Status.A_CORRIGER

        office.set_answer(qid, "bilan_qualitatif", BILAN)  # B, on the office computer
        v2 = office.transmit(qid)
        assert sync(office).run().sent == 1
        assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200

        laptop.set_answer(qid, "lieu_action", PLACE)  # A, on the laptop, still based on v1
        stale = laptop.transmit(qid)
        result = sync(laptop).run()

        assert (result.merged, result.sent, result.refused) == (1, 1, [])
        items = Outbox(laptop).items(qid)
        assert [(i.op_id, i.state) for i in items] == [(stale, "superseded"), (items[1].op_id, "done")]
        v3 = items[1].op_id
        merged = json.loads(items[1].body)
        assert merged["base_version_id"] == v2
        assert (merged["answers"]["lieu_action"], merged["answers"]["bilan_qualitatif"]) == (PLACE, BILAN)
        assert laptop.get(qid).status == Status.TRANSMIS
        assert laptop.answers(qid) == merged["answers"]  # what the laptop shows is what was sent

        detail = reviewer.get(f"/review/questionnaires/{qid}").json()
        assert [v["version_id"] for v in detail["versions"]] == [v1, v2, v3]
        assert detail["versions"][2]["answers"] == merged["answers"]
        assert {v.version_id for v in laptop.versions(qid)} == {v1, v2, stale, v3}  # the stale one is kept too

        sync(office).run()
        assert office.answers(qid) == laptop.answers(qid) == merged["answers"]
        assert str(uuid.UUID(v3)) == v3
    finally:
        laptop.close()
