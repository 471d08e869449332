"""Sync throughput on loopback: the Synchroniser's bulk push against raw `requests` PUTs, and pulls.

The reference server runs in its own process (`bilan-clas-server serve` on a free port, SQLite in a
temporary folder, the same durability as in production). In the same run:

- push: questionnaires transmitted in the desktop store, sent by `Synchroniser.push` (PUT, receipt
  checked, outbox row and version marked in one local transaction), against a bare
  `requests.Session().put` of the same frozen bodies under fresh ids (no local bookkeeping at all).
  The two alternate by blocks of 50, so that the server's growing database weighs on both alike.
  Target: Synchroniser ≤ 1.5 × raw.
- pull: 1,000 changes (500 questionnaires, a version and a state each) into a computer that has
  never synced, then the same 1,000 again into the computer that sent them (all already known).

    .venv/bin/python -m tests.benchmarks.bench_sync [--questionnaires 500]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import keyring
import requests

from forms.registry import FormRegistry
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account
from sync.engine import Synchroniser, SyncResult
from sync.protocol import API_PREFIX
from tests.benchmarks.report import table
from tests.forms.sample_answers import FORM_ID, TITLE, complete_answers
from tests.support.memkeyring import MemoryKeyring

BLOCK = 50
PASSWORD = "mot-de-passe-du-banc"
TARGET_RATIO = 1.5


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_cli(database: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args, "--database-url", str(database)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "BILAN_CLAS_PASSWORD": PASSWORD},
    )


def start_server(database: Path, port: int) -> subprocess.Popen[str]:
    """`bilan-clas-server serve`, returned once uvicorn says it listens."""
    process = subprocess.Popen(
        [sys.executable, "-m", "sync.server.cli", "serve", "--database-url", str(database), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if "Uvicorn running on" in line:
            return process
    raise RuntimeError(f"le serveur n'a pas démarré (code {process.wait()})")


def transmit(store: Store, count: int, start: int) -> None:
    for n in range(start, start + count):
        answers = complete_answers()
        answers["lieu_action"] = f"Maison de quartier n°{n}"
        store.transmit(store.create(form_id=FORM_ID, title=f"{TITLE} — {n}", answers=answers).uuid)


def raw_put(session: requests.Session, url: str, token: str, body: str) -> None:
    qid, vid = uuid.uuid4(), uuid.uuid4()
    response = session.put(
        f"{url}{API_PREFIX}/questionnaires/{qid}/versions/{vid}",
        data=body.encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": str(vid)},
        timeout=(5, 30),
    )
    assert response.status_code == 201, response.text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questionnaires", type=int, default=500)
    args = parser.parse_args()
    count = args.questionnaires - args.questionnaires % BLOCK or BLOCK

    keyring.set_keyring(MemoryKeyring())
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    database = folder / "server.sqlite3"
    for email in ("envoi@exemple.fr", "lecture@exemple.fr"):
        server_cli(database, "add-partner", "--email", email, "--caf", "73", "--name", "Association du banc")
    server_cli(database, "campaign", "set", FORM_ID, "--opens", "2025-09-10", "--closes", "2099-12-31")
    port = free_port()
    server = start_server(database, port)
    url = f"http://127.0.0.1:{port}"
    try:
        registry = FormRegistry.load()
        sender = Store.open(folder / "sender", registry)
        account.login(sender, url, "envoi@exemple.fr", PASSWORD)
        token = account.connected_client(sender).token or ""
        session = requests.Session()
        sync_seconds = raw_seconds = 0.0
        bodies: list[str] = []
        for start in range(0, count, BLOCK):
            transmit(sender, BLOCK, start)
            waiting = [item.body for item in Outbox(sender).sendable()]
            bodies += waiting
            synchroniser = Synchroniser(sender, account.connected_client(sender))
            began = time.perf_counter()
            result = SyncResult()
            synchroniser.push(result)
            sync_seconds += time.perf_counter() - began
            synchroniser.client.close()
            assert result.sent == BLOCK, result.text()
            began = time.perf_counter()
            for body in waiting:
                raw_put(session, url, token, body)
            raw_seconds += time.perf_counter() - began

        reader = Store.open(folder / "reader", registry)  # a computer that has never synced
        account.login(reader, url, "lecture@exemple.fr", PASSWORD)
        reader_token = account.connected_client(reader).token or ""
        for body in bodies:  # 500 questionnaires of the reading account: 1,000 changes
            raw_put(session, url, reader_token, body)
        began = time.perf_counter()
        fresh = SyncResult()
        Synchroniser(reader, account.connected_client(reader)).pull(fresh)
        pull_new = time.perf_counter() - began
        assert fresh.summary.received == count

        began = time.perf_counter()
        Synchroniser(sender, account.connected_client(sender)).pull(SyncResult())
        pull_known = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(30)

    changes = 2 * count
    ratio = sync_seconds / raw_seconds
    rows = [
        (f"push {count} via Synchroniser", sync_seconds, sync_seconds / count * 1000, ""),
        (f"push {count} raw requests PUT", raw_seconds, raw_seconds / count * 1000, ""),
        ("ratio Synchroniser / raw", ratio, "", f"target ≤ {TARGET_RATIO} : {'ok' if ratio <= TARGET_RATIO else 'NO'}"),
        (f"pull {changes} changes, new computer", pull_new, pull_new / changes * 1000, ""),
        (f"pull {changes} changes, already known", pull_known, pull_known / changes * 1000, ""),
    ]
    print(f"Sync on loopback, server in its own process (SQLite, synchronous=FULL), data in {folder}")
    print(table(rows, ["", "total (s)", "per item (ms)", ""]))


if __name__ == "__main__":
    main()
