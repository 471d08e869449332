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

- the whole command: `bilan-clas sync` in its own process (start, forms refresh, pull, push by
  POST /sync/push in batches of 50, pull; the last pull skips the rows the push's own receipts
  describe) for N queued transmissions, against N raw single PUTs of the same bodies in the same
  run (half before, half after the command; under another account of the same Caf, so that the
  command's first pull does not download the baseline's questionnaires). Target: ratio < 1.
  tests/benchmarks/growth.py runs it at 1, 100 and 1,000.

    .venv/bin/python -m tests.benchmarks.bench_sync [--questionnaires 500] [--command-only]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import keyring
import requests

from forms.registry import FormRegistry
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account
from sync.client import SyncClient
from sync.engine import Synchroniser, SyncResult
from sync.protocol import API_PREFIX
from tests.benchmarks.report import table
from tests.forms.sample_answers import FORM_ID, TITLE, complete_answers
from tests.support.memkeyring import MemoryKeyring

BLOCK = 50
PASSWORD = "mot-de-passe-du-banc"
RAW_EMAIL = "brut@exemple.fr"  # the raw PUTs' account (whole_command); create it with the others
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
            # Keep reading its log: a full pipe would block the server mid-request (seen at 500 PUTs).
            threading.Thread(target=process.stderr.read, daemon=True).start()
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


def cli_env(data_dir: Path, keyring_file: Path) -> dict[str, str]:
    """`bilan-clas` in a child process, with a file keyring (no keychain here)."""
    root = Path(__file__).resolve().parents[2]
    return {
        **os.environ,
        "BILAN_CLAS_HOME": str(data_dir),
        "PYTHON_KEYRING_BACKEND": "tests.support.filekeyring.FileKeyring",
        "BILAN_CLAS_TEST_KEYRING": str(keyring_file),
        "PYTHONPATH": str(root),
        "BILAN_CLAS_PASSWORD": PASSWORD,
    }


def whole_command(
    url: str, folder: Path, count: int, session: requests.Session, email: str = "commande@exemple.fr"
) -> list[tuple[object, ...]]:
    """`bilan-clas sync` of `count` queued transmissions vs `count` raw PUTs of the same bodies."""
    data = folder / "command"
    folder.mkdir(parents=True, exist_ok=True)
    env = cli_env(data, folder / "keyring.json")
    cli = [str(Path(sys.executable).with_name("bilan-clas"))]
    subprocess.run([*cli, "login", "--server", url, "--email", email], env=env, check=True,
                   capture_output=True, stdin=subprocess.DEVNULL)  # fmt: skip
    store = Store.open(data, FormRegistry.load(data / "forms"))
    transmit(store, count, 10_000)
    bodies = [item.body for item in Outbox(store).sendable()]
    store.close()
    # The raw PUTs go under another account of the same Caf: under the command's own account, the
    # command's first pull would have to download the baseline's questionnaires as well.
    raw_client = SyncClient(url)
    token = raw_client.login(RAW_EMAIL, PASSWORD).access_token
    raw_client.close()
    began = time.perf_counter()
    for body in bodies[: count // 2]:
        raw_put(session, url, token, body)
    raw_seconds = time.perf_counter() - began
    began = time.perf_counter()
    done = subprocess.run([*cli, "sync"], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    command_seconds = time.perf_counter() - began
    if done.returncode != 0 or not done.stdout.startswith(f"{count} questionnaire"):
        raise RuntimeError(f"bilan-clas sync a échoué ({done.returncode}) : {done.stdout} {done.stderr}")
    began = time.perf_counter()
    for body in bodies[count // 2 :]:
        raw_put(session, url, token, body)
    raw_seconds += time.perf_counter() - began
    ratio = command_seconds / raw_seconds
    return [
        (f"bilan-clas sync, {count} queued (whole command)", command_seconds, command_seconds / count * 1000, ""),
        (f"{count} raw requests PUT, same bodies", raw_seconds, raw_seconds / count * 1000, ""),
        ("ratio command / raw", ratio, "", f"target < 1 : {'ok' if ratio < 1 else 'NO'}"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questionnaires", type=int, default=500)
    parser.add_argument("--command-only", action="store_true", help="only the whole `bilan-clas sync` figure")
    args = parser.parse_args()
    count = args.questionnaires - args.questionnaires % BLOCK or BLOCK

    keyring.set_keyring(MemoryKeyring())
    folder = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    database = folder / "server.sqlite3"
    for email in ("envoi@exemple.fr", "lecture@exemple.fr", "commande@exemple.fr", RAW_EMAIL):
        server_cli(database, "add-partner", "--email", email, "--caf", "73", "--name", "Association du banc")
    server_cli(database, "campaign", "set", FORM_ID, "--opens", "2025-09-10", "--closes", "2099-12-31")
    port = free_port()
    server = start_server(database, port)
    url = f"http://127.0.0.1:{port}"
    try:
        if args.command_only:
            rows = whole_command(url, folder, count, requests.Session())
            print(
                f"Sync on loopback, server in its own process (SQLite, synchronous=FULL), load {os.getloadavg()[0]:.1f}"
            )
            print(table(rows, ["", "total (s)", "per item (ms)", ""]))
            return
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
        command_rows = whole_command(url, folder, count, session)
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
        *command_rows,
    ]
    print(f"Sync on loopback, server in its own process (SQLite, synchronous=FULL), data in {folder}")
    print(table(rows, ["", "total (s)", "per item (ms)", ""]))


if __name__ == "__main__":
    main()
