"""What a server can ask of the client, bounded (issue 10, items 7–10 and 12).

A scripted server asks for absurd waits (Retry-After 1e20, inf, 999999999), sends JSON nested
thousands deep or with 5,000-digit numbers, trickles its reply one byte at a time; the client
caps the wait, refuses the document with one French sentence, abandons the request at its total
deadline (or at once on *Annuler*), and `bilan-clas sync` exits 0 only when nothing is left.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from desktop.cli import main
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account, credentials
from sync.client import MAX_SERVER_DELAY, SyncClient
from sync.engine import Synchroniser
from sync.errors import BrokenReply, InsecureServer, Interrupted, ServerBusy, TooSlow
from tests.sync.fakeserver import FakeServer, Reply, Script
from tests.sync.support import fast_synchroniser, fill_and_transmit
from tests.sync.test_hostile import EMPTY_PAGE, TOKEN, accepted, problem

ABSURD = ["1e20", "inf", "-inf", "nan", "99999999999999", "999999999", "-5", "1" + "0" * 400]


@pytest.mark.parametrize("value", ABSURD)
def test_an_absurd_retry_after_is_capped_and_never_crashes(store: Store, value: str) -> None:
    (qid,) = fill_and_transmit(store, 1)
    busy = Reply(503, b"", "text/plain", {"Retry-After": value})
    with FakeServer({("GET", "/changes"): EMPTY_PAGE, ("PUT", "/questionnaires/"): busy}) as fake:
        before = dt.datetime.now(dt.UTC)
        result = fast_synchroniser(store, SyncClient(fake.url, token=TOKEN)).run()

    assert result.deferred == 1
    (item,) = Outbox(store).items(qid)
    assert item.next_attempt_at is not None
    assert item.next_attempt_at <= before + dt.timedelta(seconds=MAX_SERVER_DELAY + 60), value


def test_a_rate_limited_login_with_an_absurd_delay_is_capped(store: Store) -> None:
    limited = problem(429, "rate_limited", "Trop de tentatives : réessayez plus tard.")
    document = limited.body.replace(b'"code"', b'"retry_after": 1' + b"0" * 30 + b', "code"')
    limited = Reply(429, document, limited.content_type)
    with FakeServer({("POST", "/auth/token"): limited}) as fake:
        client = SyncClient(fake.url)
        with pytest.raises(ServerBusy) as raised:
            client.login("a@b.fr", "x")
    assert raised.value.retry_after is None


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


HOSTILE_DOCUMENTS = {
    "deep nesting": b'{"changes": ' + nested(100_000) + b', "next_cursor": "c1", "has_more": false}',
    "5,000-digit number": b'{"changes": [], "next_cursor": "c1", "has_more": false, "seq": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("name", HOSTILE_DOCUMENTS)
def test_a_hostile_feed_document_is_a_broken_reply(store: Store, name: str) -> None:
    with FakeServer({("GET", "/changes"): Reply(200, HOSTILE_DOCUMENTS[name])}) as fake, pytest.raises(BrokenReply):
        Synchroniser(store, SyncClient(fake.url, token=TOKEN)).run()


@pytest.mark.parametrize("body", [nested(100_000), b'{"id": "x", "version": ' + b"9" * 5000 + b"}", nested(200)])
def test_a_hostile_form_definition_is_a_broken_reply(body: bytes) -> None:
    with FakeServer({("GET", "/forms/"): Reply(200, body)}) as fake, pytest.raises(BrokenReply) as raised:
        SyncClient(fake.url, token=TOKEN).form("clas-2025-2026")
    assert "Définition de formulaire reçue invalide" in str(raised.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"form_id": "clas-2024-2025", "answers": ' + "[" * 100_000 + "]" * 100_000 + "}", "trop profondément"),
        ('{"form_id": "clas-2024-2025", "answers": ' + "[" * 500 + "]" * 500 + "}", "trop profondément"),
        ('{"form_id": "clas-2024-2025", "answers": {"nb_enfants_inscrits": ' + "9" * 5000 + "}}", "nombre démesuré"),
    ],
    ids=["100000 levels", "500 levels", "5000 digits"],
)
def test_a_hostile_import_file_is_one_french_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    path = tmp_path / "piège.json"
    path.write_text(content, encoding="utf-8")
    assert main(["import", str(path)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("bilan-clas : Fichier d'import refusé (piège.json)"), err
    assert expected in err
    assert len(err.splitlines()) == 1
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"


class Trickle:
    """A reply sent one byte every `pause` seconds: each read gets a byte, no read timeout ever fires."""

    def __init__(self, pause: float, total_bytes: int) -> None:
        self.pause = pause
        self.total_bytes = total_bytes
        self.stop = threading.Event()

    def __call__(self, handler: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        payload = (head + b'{"x": "' + b"a" * self.total_bytes)[: self.total_bytes]
        try:
            for byte in payload:
                if self.stop.wait(self.pause):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
        except OSError:
            return  # the client hung up


def timed(call: Callable[[], object]) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        call()
    except BaseException as error:  # noqa: BLE001 - the test inspects it
        return time.monotonic() - started, error
    return time.monotonic() - started, None


@pytest.mark.parametrize("where", ["login", "feed"])
def test_a_trickling_reply_is_abandoned_at_the_total_deadline(where: str) -> None:
    trickle = Trickle(pause=0.05, total_bytes=200)  # 10 s in all, each byte well within the read timeout
    script: Script = {("POST", "/auth/token"): trickle, ("GET", "/changes"): trickle}
    with FakeServer(script) as fake:
        client = SyncClient(fake.url, token=TOKEN, timeout=(2.0, 2.0), deadline=1.0)
        call = (lambda: client.login("a@b.fr", "x")) if where == "login" else (lambda: client.changes(None))
        elapsed, error = timed(call)
        trickle.stop.set()
    assert isinstance(error, TooSlow), error
    assert "trop lentement" in str(error)
    assert elapsed < 4.0, elapsed


def test_negative_control_without_a_deadline_the_trickle_holds_the_request() -> None:
    """The same trickle with only the per-read timeout: the request outlives the deadline above."""
    trickle = Trickle(pause=0.05, total_bytes=60)  # 3 s
    with FakeServer({("GET", "/changes"): trickle}) as fake:
        client = SyncClient(fake.url, token=TOKEN, timeout=(2.0, 2.0), deadline=None)
        elapsed, error = timed(lambda: client.changes(None))
        trickle.stop.set()
    assert not isinstance(error, TooSlow)
    assert elapsed > 2.5, elapsed


def test_cancel_stops_a_request_at_once_and_keeps_the_outbox(store: Store) -> None:
    (qid,) = fill_and_transmit(store, 1)
    trickle = Trickle(pause=0.05, total_bytes=400)  # 20 s
    cancel = threading.Event()
    with FakeServer({("GET", "/changes"): EMPTY_PAGE, ("PUT", "/questionnaires/"): trickle}) as fake:
        client = SyncClient(fake.url, token=TOKEN)
        client.cancelled = cancel.is_set
        threading.Timer(0.5, cancel.set).start()  # the user clicks *Annuler* while the reply trickles
        elapsed, error = timed(lambda: fast_synchroniser(store, client).run())
        trickle.stop.set()
    assert isinstance(error, Interrupted), error
    assert elapsed < 3.0, elapsed
    (item,) = Outbox(store).items(qid)
    assert item.state == "pending"  # nothing marked sent, nothing dropped


@pytest.mark.parametrize("url", ["http://alice:s3cret@127.0.0.1:8000", "https://alice@bilan.exemple.fr"])
def test_an_address_with_credentials_is_refused_and_never_echoed(store: Store, url: str) -> None:
    with pytest.raises(InsecureServer) as raised:
        account.login(store, url, "a@b.fr", "x")
    assert "s3cret" not in str(raised.value)
    assert "alice" not in str(raised.value)
    assert "identifiant ou un mot de passe" in str(raised.value)
    assert account.account(store) is None


# --- `bilan-clas sync` tells the truth -----------------------------------------------------


def logged_in(store: Store, url: str) -> None:
    """The state a `login` leaves (settings with the data, token in the keychain)."""
    base = url
    credentials.save_token(base, "asso@exemple.fr", TOKEN)
    store.set_setting(account.SERVER_KEY, base)
    store.set_setting(account.EMAIL_KEY, "asso@exemple.fr")


def test_sync_exit_codes(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    (qid,) = fill_and_transmit(store, 1)
    (item,) = Outbox(store).items(qid)
    busy = Reply(503, b"", "text/plain", {"Retry-After": "1"})
    with FakeServer({("GET", "/changes"): EMPTY_PAGE, ("PUT", "/questionnaires/"): busy}) as fake:
        logged_in(store, fake.url)
        assert main(["sync"]) == 4  # « 1 envoi à reprendre plus tard » is not a success
        assert "à reprendre plus tard" in capsys.readouterr().out
        fake.script[("PUT", "/questionnaires/")] = problem(422, "validation", "Réponses refusées par le serveur")
        assert main(["sync"]) == 6
        capsys.readouterr()
        assert main(["sync"]) == 6  # refused earlier and still waiting for the user: still not a success
        assert "1 envoi refusé attend une correction" in capsys.readouterr().err  # no « envoi(s) » (review 15)
        Outbox(store).retry(qid)
        fake.script[("PUT", "/questionnaires/")] = accepted(qid, item.op_id)
        assert main(["sync"]) == 0
    assert Outbox(store).count() == 0
