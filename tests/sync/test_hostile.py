"""Hostile and broken replies (research anchors-sync-reliability §2.6 F6, §3.6, §4.7 T11).

A scripted HTTP server stands where the reference server should be and answers what a client meets
in the wild: a captive portal's page, JSON of the wrong types, a body cut short or without end, a
redirect to another host, a proxy's error page, a 401. Whatever it says, a transmission is never
marked sent, nothing crashes, and the user reads a clear French sentence. Notices are untrusted
text: HTML stays plain text, an unknown anchor becomes a general remark.
"""

from __future__ import annotations

import datetime as dt
import json
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler

import pytest

from forms.lifecycle import Status
from forms.store import Store
from forms.store.outbox import Outbox
from sync.client import MAX_REPLY_BYTES, SyncClient
from sync.engine import Synchroniser
from sync.errors import AuthRequired, BrokenReply, ServerBusy, SyncError, Transient
from sync.protocol import PROBLEM_MEDIA_TYPE, problem_type
from tests.sync.fakeserver import FakeServer, Reply, Script
from tests.sync.support import fast_synchroniser, fill_and_transmit

TOKEN = "jeton-de-test-0123456789-abcdefghij"
EMPTY_PAGE = Reply.json({"changes": [], "next_cursor": "c0", "has_more": False})
HUGE = 64 * 1024 * 1024  # what the endless body offers: 8x the client's cap


def accepted(qid: str, vid: str, status: int = 201) -> Reply:
    return Reply.json(
        {"questionnaire_id": qid, "version_id": vid, "server_rev": 1, "state": "transmis", "seq": 1}, status
    )


def problem(status: int, code: str, title: str) -> Reply:
    document = {"type": problem_type(code), "title": title, "status": status, "code": code}
    return Reply.json(document, status, PROBLEM_MEDIA_TYPE)


def cut_body(handler: BaseHTTPRequestHandler) -> None:
    """A 201 announcing 400 bytes of JSON, then the connection drops after 60."""
    handler.send_response(201)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "400")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(b'{"questionnaire_id": "' + b"0" * 38)
    handler.wfile.flush()


def empty_body(handler: BaseHTTPRequestHandler) -> None:
    """A 201 whose body never came (the prototype's crash: a TCP cut right after the headers)."""
    handler.send_response(201)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "0")
    handler.send_header("Connection", "close")
    handler.end_headers()


class Endless:
    """A 200 JSON body that never ends (no Content-Length), streamed until the client hangs up."""

    def __init__(self) -> None:
        self.written = 0

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b'["' + b"a" * (64 * 1024 - 4) + b'",'
        try:
            handler.wfile.write(b"[")
            while self.written < HUGE:
                handler.wfile.write(chunk)
                self.written += len(chunk)
        except OSError:
            pass  # the client stopped reading: what we want


@dataclass(frozen=True)
class Case:
    name: str
    reply: Callable[[str, str], Reply | Callable[[BaseHTTPRequestHandler], None]]  # (qid, vid) -> reply
    error: type[SyncError]
    french: str  # what the user reads (the outbox keeps it as the last error)


CASES = [
    Case(
        "captive portal: 200 HTML",
        lambda q, v: Reply(200, "<html><body><h1>Bienvenue sur le Wi-Fi de la médiathèque</h1>".encode(), "text/html"),
        BrokenReply,
        "Le serveur a répondu par une page web au lieu de données (portail Wi-Fi ou proxy ?). "
        "Rien n'a été marqué comme envoyé.",
    ),
    Case(
        "200 JSON of the wrong types",
        lambda q, v: Reply.json({"questionnaire_id": 12, "version_id": None, "server_rev": "un", "state": "ok"}, 201),
        BrokenReply,
        "Réponse du serveur mal formée : rien n'a été marqué comme envoyé.",
    ),
    Case(
        "201 for another version",
        lambda q, v: accepted(q, str(uuid.uuid4())),
        BrokenReply,
        "Le serveur a accusé réception d'un autre envoi : rien n'a été marqué comme envoyé.",
    ),
    Case(
        "2xx cut mid-body", lambda q, v: cut_body, BrokenReply, "Réponse du serveur interrompue. L'envoi sera repris."
    ),
    Case(
        "2xx with no body at all",
        lambda q, v: empty_body,
        BrokenReply,
        "Réponse du serveur mal formée : rien n'a été marqué comme envoyé.",
    ),
    Case(
        "302 to another host",
        lambda q, v: Reply(302, b"", "text/html", {"Location": "http://portail.wifi-gratuit.example/login?r=1"}),
        BrokenReply,
        "Le réseau a redirigé la demande vers http://portail.wifi-gratuit.example/login?r=1 (portail Wi-Fi ?) : "
        "réponse ignorée. Connectez-vous au réseau puis synchronisez de nouveau.",
    ),
    Case(
        "a proxy's 403 page (not a problem document)",
        lambda q, v: Reply(403, "<html>Accès bloqué par le pare-feu</html>".encode(), "text/html"),
        BrokenReply,
        "Réponse inattendue du serveur (403) : réessayez plus tard.",
    ),
    Case(
        "a 500 HTML page",
        lambda q, v: Reply(500, b"<html>Internal Server Error</html>", "text/html"),
        ServerBusy,
        "Le serveur est momentanément indisponible (500). L'envoi sera repris.",
    ),
]


@pytest.fixture
def waiting(store: Store) -> tuple[str, str]:
    """One transmitted questionnaire waiting in the outbox: (questionnaire uuid, version id)."""
    (qid,) = fill_and_transmit(store, 1)
    (item,) = Outbox(store).items(qid)
    return qid, item.op_id


def assert_nothing_marked_sent(store: Store, qid: str, vid: str) -> None:
    (item,) = Outbox(store).items(qid)
    assert (item.op_id, item.state) == (vid, "pending")
    assert store.get(qid).status == Status.A_ENVOYER
    assert [v.server_rev for v in store.versions(qid)] == [None]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_reply_to_a_transmission_is_never_taken_for_a_receipt(
    store: Store, waiting: tuple[str, str], case: Case
) -> None:
    qid, vid = waiting
    script: Script = {("GET", "/changes"): EMPTY_PAGE, ("PUT", "/questionnaires/"): case.reply(qid, vid)}
    with FakeServer(script) as fake:
        sync = fast_synchroniser(store, SyncClient(fake.url, token=TOKEN))
        result = sync.run()

    assert (result.sent, result.deferred, result.refused) == (0, 1, [])
    assert_nothing_marked_sent(store, qid, vid)
    (item,) = Outbox(store).items(qid)
    assert item.last_error_message == case.french
    assert item.last_error_code == case.error.code
    puts = [path for method, path in fake.requests if method == "PUT"]
    assert puts == [f"/api/v1/questionnaires/{qid}/versions/{vid}"] * sync.attempts_per_run  # same key each time
    assert fake.unscripted == []


def test_an_endless_body_is_cut_at_the_cap_with_bounded_memory(store: Store, waiting: tuple[str, str]) -> None:
    qid, vid = waiting
    endless = Endless()
    with FakeServer({("GET", "/changes"): EMPTY_PAGE, ("PUT", "/questionnaires/"): endless}) as fake:
        sync = fast_synchroniser(store, SyncClient(fake.url, token=TOKEN))
        sync.attempts_per_run = 1
        tracemalloc.start()
        try:
            result = sync.run()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    assert result.deferred == 1
    assert_nothing_marked_sent(store, qid, vid)
    (item,) = Outbox(store).items(qid)
    assert item.last_error_message == "Réponse du serveur anormalement volumineuse : ignorée."
    assert item.last_error_code == BrokenReply.code
    assert peak < 3 * MAX_REPLY_BYTES, peak
    assert endless.written < HUGE  # the client hung up: it did not swallow 64 MiB


def test_a_redirect_is_never_followed(store: Store, waiting: tuple[str, str]) -> None:
    qid, vid = waiting
    with FakeServer({("PUT", "/"): accepted(qid, vid), ("GET", "/"): EMPTY_PAGE}, host="127.0.0.1") as elsewhere:
        target = f"http://localhost:{elsewhere.port}/api/v1/questionnaires/{qid}/versions/{vid}"
        script: Script = {
            ("GET", "/changes"): EMPTY_PAGE,
            ("PUT", "/questionnaires/"): Reply(307, b"", "text/html", {"Location": target}),
        }
        with FakeServer(script) as fake:
            result = fast_synchroniser(store, SyncClient(fake.url, token=TOKEN)).run()

    assert result.deferred == 1
    assert elsewhere.requests == []  # the other host never saw our data nor our token
    assert_nothing_marked_sent(store, qid, vid)


def test_a_401_asks_to_log_in_again_and_keeps_everything(store: Store, waiting: tuple[str, str]) -> None:
    qid, vid = waiting
    script: Script = {
        ("GET", "/changes"): EMPTY_PAGE,
        ("PUT", "/questionnaires/"): problem(401, "unauthorized", "Session expirée : reconnectez-vous"),
    }
    with FakeServer(script) as fake, pytest.raises(AuthRequired) as raised:
        fast_synchroniser(store, SyncClient(fake.url, token=TOKEN)).run()

    assert str(raised.value) == "Votre connexion au serveur a expiré : reconnectez-vous. Rien n'est perdu."
    assert_nothing_marked_sent(store, qid, vid)


def test_retry_after_is_honoured(store: Store, waiting: tuple[str, str]) -> None:
    """A 503 asking for an hour: the item waits for a later run instead of hammering the server."""
    qid, vid = waiting
    busy = Reply(503, b"", "text/plain", {"Retry-After": "3600"})
    with FakeServer({("GET", "/changes"): EMPTY_PAGE, ("PUT", "/questionnaires/"): busy}) as fake:
        before = dt.datetime.now(dt.UTC)
        sync = fast_synchroniser(store, SyncClient(fake.url, token=TOKEN))
        assert sync.run().deferred == 1
        assert sync.run(force=False).deferred == 0  # the automatic sync leaves it alone until then

    assert [m for m, _ in fake.requests].count("PUT") == 1
    (item,) = Outbox(store).items(qid)
    assert item.next_attempt_at is not None
    assert item.next_attempt_at >= before + dt.timedelta(seconds=3600)
    assert_nothing_marked_sent(store, qid, vid)


FEED_CASES = {
    "captive portal": (
        Reply(200, b"<html>Portail</html>", "text/html"),
        "Le serveur a répondu par une page web au lieu de données (portail Wi-Fi ou proxy ?). "
        "Rien n'a été marqué comme envoyé.",
    ),
    "a change of the wrong shape": (
        Reply.json(
            {
                "changes": [
                    {"seq": 1, "type": "questionnaire.state", "questionnaire_id": str(uuid.uuid4()), "data": {"x": 1}}
                ],
                "next_cursor": "c1",
                "has_more": False,
            }
        ),
        "Une nouvelle reçue du serveur est mal formée : rien n'a été appliqué.",
    ),
    "more pages that never come": (
        Reply.json({"changes": [], "next_cursor": "c0", "has_more": True}),
        "Le serveur annonce d'autres nouvelles sans avancer : synchronisation arrêtée.",
    ),
}


@pytest.mark.parametrize("name", FEED_CASES)
def test_a_hostile_feed_applies_nothing(store: Store, waiting: tuple[str, str], name: str) -> None:
    qid, vid = waiting
    reply, french = FEED_CASES[name]
    with FakeServer({("GET", "/changes"): reply}) as fake:
        sync = Synchroniser(store, SyncClient(fake.url, token=TOKEN))
        if name == "more pages that never come":
            sync.remote.apply([], "c0")  # we already stand at c0
        with pytest.raises(BrokenReply) as raised:
            sync.run()

    assert str(raised.value) == french
    assert isinstance(raised.value, Transient)
    assert [m for m, _ in fake.requests] in (["GET"], ["GET", "GET"])  # nothing sent on a broken pull
    assert_nothing_marked_sent(store, qid, vid)


def test_notices_are_plain_text_and_unknown_anchors_become_general_remarks(
    store: Store, waiting: tuple[str, str]
) -> None:
    qid, vid = waiting
    html = "<b>Attention</b> : <script>alert('x')</script> le total &amp; les « familles » <img src=x onerror=y>"

    def notice(question_id: str | None, message: str) -> dict[str, object]:
        data = {
            "notice_id": str(uuid.uuid4()), "questionnaire_id": qid, "version_id": vid, "question_id": question_id,
            "message": message, "status": "open", "created_at": "2026-01-05T10:00:00+00:00",
        }  # fmt: skip
        return {"seq": 1, "type": "notice.created", "questionnaire_id": qid, "data": data}

    changes = [
        notice("nb_familles", html),
        notice("question_qui_n_existe_pas", "Précisez ce point."),
        notice("../../etc/passwd", "Chemin ?"),
    ]
    script: Script = {
        ("PUT", "/questionnaires/"): accepted(qid, vid),
        ("GET", "/changes"): Reply.json({"changes": changes, "next_cursor": "c3", "has_more": False}),
    }
    with FakeServer(script) as fake:
        result = fast_synchroniser(store, SyncClient(fake.url, token=TOKEN)).run()

    assert result.sent == 1
    assert result.summary.notices == 3
    stored = {n.message: n.question_id for n in store.notices(qid)}
    assert stored == {html: "nb_familles", "Précisez ce point.": None, "Chemin ?": None}
    assert json.dumps(stored, ensure_ascii=False).count("<script>") == 1  # kept as typed, never interpreted
    assert store.get(qid).status == Status.TRANSMIS
    assert fake.unscripted == []
