"""Replies to the Caf's notices, from the partner's store to the server and back (exactly once).

The partner writes a reply offline; the sync sends it after the versions with its client-made id.
A crash after the server committed, a retry, a second sync or a second computer never make the
server hold it twice, and it reaches the second computer as « envoyée ». Under the fault proxy,
replies arrive exactly once; the negative control (a new id per attempt) makes duplicates. A child
process killed with SIGKILL while the proxy holds its reply POST converges exactly once too.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from forms.lifecycle import ReplyState, Status
from forms.registry import FormRegistry
from forms.store import NotEditable, Store
from forms.store.replies import Replies
from sync import account, credentials
from sync.client import SyncClient
from sync.engine import Synchroniser, SyncResult, _never
from sync.errors import Transient
from sync.protocol import ReplyView
from sync.replies import push_replies
from sync.server import models as server_models
from tests.server.conftest import PASSWORD, Client
from tests.sync.proxy import FaultProxy
from tests.sync.support import LiveServer, chaos_seed, fast_synchroniser, fill_and_transmit, integrity_check
from tests.sync.test_kill import KillSwitch, Plan

REPLIES = 100
FAULT_RATE = 0.30
TIMEOUT = (1.0, 0.5)


class Crash(BaseException):
    """The process stops dead here (nothing catches it, as nothing survives a kill)."""


class CrashAfterSend(SyncClient):
    """The reply reaches the server and is committed; the process dies before it hears the answer."""

    def post_reply(self, *args: Any, **kwargs: Any) -> tuple[ReplyView, bool]:
        super().post_reply(*args, **kwargs)
        raise Crash


class NewIdOnRetry(SyncClient):
    """Test-only: the bug the reply id exists to prevent (a fresh id on every later attempt)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tried: set[str] = set()

    def post_reply(self, questionnaire_id: str, notice_id: str, reply_id: str, message: str) -> tuple[ReplyView, bool]:
        key = reply_id if reply_id not in self.tried else str(uuid.uuid4())
        self.tried.add(reply_id)
        reply, replayed = super().post_reply(questionnaire_id, notice_id, key, message)
        return reply.model_copy(update={"reply_id": uuid.UUID(reply_id)}), replayed


def server_replies(server: LiveServer) -> list[server_models.NoticeReply]:
    with server.ctx.db.read() as session:
        return list(session.exec(select(server_models.NoticeReply)).all())


def noticed(store: Store, reviewer: Client, count: int = 1) -> list[tuple[str, str]]:
    """`count` questionnaires transmitted and synced, each with one Caf notice pulled: (uuid, notice id)."""
    uuids = fill_and_transmit(store, count)
    sync = Synchroniser(store, account.connected_client(store))
    assert sync.run().sent == count
    for qid in uuids:
        answer = reviewer.post(
            f"/review/questionnaires/{qid}/notices", json={"question_id": "nb_familles", "message": "À vérifier."}
        )
        assert answer.status_code == 201, answer.text
    sync.run()
    return [(qid, store.notices(qid)[0].notice_id) for qid in uuids]


@pytest.fixture
def second(tmp_path: Path, registry: FormRegistry, live_server: LiveServer, partner: Client) -> Store:
    store = Store.open(tmp_path / "second", registry)
    account.login(store, live_server.url, partner.email, PASSWORD)
    yield store  # type: ignore[misc]
    store.close()


def test_a_reply_goes_out_once_and_reaches_the_other_computer(
    client_store: Store, live_server: LiveServer, reviewer: Client, second: Store
) -> None:
    [(qid, nid)] = noticed(client_store, reviewer)
    replies = Replies(client_store)
    rid = replies.add(nid, "  Nous avons accueilli 26 familles.  ")
    [waiting] = replies.of_questionnaire(qid)
    expected = (rid, "Nous avons accueilli 26 familles.", "à envoyer")
    assert (waiting.reply_id, waiting.message, waiting.state.label) == expected

    result = Synchroniser(client_store, account.connected_client(client_store)).run()
    assert result.replies_sent == 1
    assert "1 réponse envoyée à la Caf" in result.text()
    assert [r.state for r in replies.of_questionnaire(qid)] == [ReplyState.SENT]
    assert Synchroniser(client_store, account.connected_client(client_store)).run().replies_sent == 0
    [held] = server_replies(live_server)
    assert (str(held.id), str(held.notice_id), held.message) == (rid, nid, "Nous avons accueilli 26 familles.")

    Synchroniser(second, account.connected_client(second)).run()
    [copy] = Replies(second).of_questionnaire(qid)
    assert (copy.reply_id, copy.notice_id, copy.state) == (rid, nid, ReplyState.SENT)


def test_a_crash_after_the_server_committed_is_retried_exactly_once(
    client_store: Store, live_server: LiveServer, partner: Client, reviewer: Client
) -> None:
    [(qid, nid)] = noticed(client_store, reviewer)
    replies = Replies(client_store)
    rid = replies.add(nid, "Chiffre corrigé.")
    token = credentials.load_token(live_server.url, partner.email)
    with pytest.raises(Crash):
        Synchroniser(client_store, CrashAfterSend(live_server.url, token=token)).run()
    assert [r.state for r in replies.of_questionnaire(qid)] == [ReplyState.PENDING]  # we never heard the answer
    assert len(server_replies(live_server)) == 1

    # The retry alone (the push step, without the pull that would also tell us): the server replays it.
    result = SyncResult()
    push_replies(Synchroniser(client_store, account.connected_client(client_store)), result, _never)
    assert result.replies_sent == 1
    assert [(r.reply_id, r.state) for r in replies.of_questionnaire(qid)] == [(rid, ReplyState.SENT)]
    Synchroniser(client_store, account.connected_client(client_store)).run()
    assert len(server_replies(live_server)) == 1


def test_the_feed_marks_a_reply_sent_when_its_answer_was_lost(
    client_store: Store, live_server: LiveServer, partner: Client, reviewer: Client
) -> None:
    [(qid, nid)] = noticed(client_store, reviewer)
    replies = Replies(client_store)
    replies.add(nid, "Chiffre corrigé.")
    token = credentials.load_token(live_server.url, partner.email)
    with pytest.raises(Crash):
        Synchroniser(client_store, CrashAfterSend(live_server.url, token=token)).run()
    result = Synchroniser(client_store, account.connected_client(client_store)).run()
    assert result.replies_sent == 0  # the pull, before the push, learnt that the server holds it
    assert [r.state for r in replies.of_questionnaire(qid)] == [ReplyState.SENT]
    assert len(server_replies(live_server)) == 1


def test_a_refused_reply_keeps_the_reason_and_nothing_else_breaks(
    client_store: Store, live_server: LiveServer, reviewer: Client
) -> None:
    [(qid, nid)] = noticed(client_store, reviewer)
    replies = Replies(client_store)
    replies.add(nid, "Une précision.")
    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{qid}/validate").status_code == 200  # before our sync
    result = Synchroniser(client_store, account.connected_client(client_store)).run()
    [refused] = replies.of_questionnaire(qid)
    assert refused.state == ReplyState.FAILED
    assert refused.last_error_message
    assert "Validé" in refused.last_error_message
    assert result.refused
    assert client_store.get(qid).status == Status.VALIDE
    with pytest.raises(NotEditable):  # and no new reply once it is validated here too
        replies.add(nid, "Encore une.")
    assert server_replies(live_server) == []


def _chaos(store: Store, server: LiveServer, partner: Client, reviewer: Client, client_class: type[SyncClient]) -> str:
    seed = chaos_seed()
    pairs = noticed(store, reviewer, REPLIES // 4)
    replies = Replies(store)
    for n in range(REPLIES):
        qid, nid = pairs[n % len(pairs)]
        replies.add(nid, f"Réponse n°{n} à la Caf.")
    token = credentials.load_token(server.url, partner.email)
    with FaultProxy(server.port, seed=seed, fault_rate=FAULT_RATE) as proxy:
        client = client_class(proxy.url, token=token, timeout=TIMEOUT)
        sync = fast_synchroniser(store, client, seed)
        runs = 0
        try:
            while replies.count(ReplyState.PENDING):
                runs += 1
                assert runs < 30 * REPLIES, f"seed={seed}: replies still pending"
                try:
                    sync.run()
                except Transient:
                    continue
        finally:
            client.close()
    held = Counter(r.message for r in server_replies(server))
    faults = sum(proxy.stats.faults.values())
    return (
        f"seed={seed}: {proxy.stats.total} requests, {faults} faults {dict(proxy.stats.faults)}, {runs} runs; "
        f"server holds {sum(held.values())} replies for {REPLIES} written, "
        f"{sum(n - 1 for n in held.values() if n > 1)} duplicates, {REPLIES - len(held)} lost, "
        f"local sent={replies.count(ReplyState.SENT)} failed={replies.count(ReplyState.FAILED)}"
    )


@pytest.mark.slow
def test_replies_under_30_percent_faults_arrive_exactly_once(
    client_store: Store, live_server: LiveServer, partner: Client, reviewer: Client
) -> None:
    figures = _chaos(client_store, live_server, partner, reviewer, SyncClient)
    print(figures)
    held = Counter(r.message for r in server_replies(live_server))
    assert len(held) == REPLIES, figures
    assert set(held.values()) == {1}, figures
    assert Replies(client_store).count(ReplyState.SENT) == REPLIES, figures
    assert {str(r.id) for r in server_replies(live_server)} == {
        r.reply_id for qid in {i.uuid for i in client_store.list()} for r in Replies(client_store).of_questionnaire(qid)
    }, figures


@pytest.mark.slow
def test_negative_control_a_new_reply_id_per_attempt_makes_duplicates(
    client_store: Store, live_server: LiveServer, partner: Client, reviewer: Client
) -> None:
    figures = _chaos(client_store, live_server, partner, reviewer, NewIdOnRetry)
    print(figures)
    held = Counter(r.message for r in server_replies(live_server))
    assert sum(held.values()) > REPLIES, figures  # retries after a commit executed again under a new id


KILL_REPLIES = 20
KILLS = 8
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_kill_9_while_replies_are_sent_converges_exactly_once(
    client_store: Store, live_server: LiveServer, partner: Client, reviewer: Client, tmp_path: Path
) -> None:
    """A child process syncs; the parent kills it (SIGKILL) while the proxy holds a reply POST, before
    or after the server committed it; new children finish the work. Each reply is held exactly once."""
    seed = chaos_seed()
    rng = random.Random(seed)
    pairs = noticed(client_store, reviewer, 5)
    replies = Replies(client_store)
    for n in range(KILL_REPLIES):
        replies.add(pairs[n % len(pairs)][1], f"Réponse n°{n} à la Caf.")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BILAN_CLAS_TEST_TOKEN": credentials.load_token(live_server.url, partner.email) or "",
    }
    wake = threading.Event()
    switch = KillSwitch(wake)
    landed = rounds = 0
    command = [sys.executable, "-m", "tests.sync.sync_child", str(client_store.path.parent)]
    with FaultProxy(live_server.port, seed=seed, on_request=switch.hook, on_response=switch.hook) as proxy:
        while replies.count(ReplyState.PENDING) or landed < KILLS:
            rounds += 1
            assert rounds <= 60, f"seed={seed}: no convergence ({landed} kills)"
            where = rng.choice(("request", "response"))
            plan = Plan(where, rng.randint(1, 3), "POST", forward=rng.random() < 0.5) if landed < KILLS else None
            wake.clear()
            switch.arm(plan)
            child = subprocess.Popen([*command, proxy.url], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)

            def read(child: subprocess.Popen[str] = child) -> None:
                assert child.stdout is not None
                for _line in child.stdout:
                    pass
                wake.set()  # end of output: the child finished

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            assert wake.wait(120), f"seed={seed}: round {rounds} ({plan}) never reached its moment"
            if plan is not None and switch.fired and child.poll() is None:
                child.send_signal(signal.SIGKILL)
            code = child.wait(60)
            switch.release()
            reader.join(60)
            if code == -signal.SIGKILL:
                landed += 1
            else:
                assert code in (0, 4), f"seed={seed}: round {rounds} exit {code}"
    held = Counter(r.message for r in server_replies(live_server))
    figures = f"seed={seed}: {rounds} rounds, {landed} SIGKILLs, server holds {sum(held.values())} replies"
    print(figures)
    assert landed >= KILLS, figures
    assert len(held) == KILL_REPLIES, figures
    assert set(held.values()) == {1}, figures
    assert replies.count(ReplyState.SENT) == KILL_REPLIES, figures
    assert integrity_check(client_store.path) == "ok", figures
