"""A national campaign on loopback: N questionnaires transmitted by C concurrent clients, then pulled.

The server runs in its own process (`bilan-clas-server serve`, as in production); each client is a
thread with its own requests.Session. Phases, each timed: every partner logs in; the questionnaires
are transmitted (one PUT each); every partner pulls its change feed to the end. Targets: the
transmission phase under 60 s, p99 under 500 ms, no error.

    .venv/bin/python -m tests.benchmarks.bench_server [--database-url URL] [--count 4000] [--clients 50]

Without --database-url the server uses a fresh SQLite file. With a PostgreSQL URL
(postgresql+psycopg://user@host:port/db) the script creates a fresh database on that server and
drops it at the end. Accounts are created with cheap argon2 parameters (setup only: the server's
own hashing cost is not what this measures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import requests
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from sync import protocol as p
from sync.server import accounts, campaigns
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.benchmarks.report import summary_ms, table
from tests.forms.sample_answers import FORM_ID, FORM_VERSION, complete_answers

PASSWORD = "mot-de-passe-du-banc"
TIMEOUT = (5, 60)
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, latency: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(latency)
            if error:
                self.errors.append(error)


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="bench-server-"))
        yield f"sqlite:///{folder / 'server.sqlite3'}"
        return
    if make_url(url).get_backend_name() != "postgresql":
        yield url
        return
    from tests.server.conftest import fresh_postgres_database

    with fresh_postgres_database(url, "bench") as fresh:
        yield fresh


def prepare(url: str, partners: int) -> list[str]:
    """The partners' accounts and an extended campaign, written before the server starts."""
    ctx = ServerContext.open(Settings(database_url=url), hasher=CHEAP_HASHER)
    try:
        campaigns.set_window(ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2030, 12, 31))
        emails = []
        for n in range(partners):
            email = f"partenaire-{n:05d}@exemple.fr"
            caf = f"{1 + n % 101:03d}"  # spread over the 101 departmental Caf
            accounts.create_account(
                ctx, role=accounts.PARTNER, email=email, password=PASSWORD, caf=caf, name=f"Asso {n}"
            )
            emails.append(email)
        return emails
    finally:
        ctx.close()


@contextmanager
def server_process(url: str, workers: int) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "sync.server.cli", "serve", "--port", str(port), "--database-url", url]
    command += ["--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    log: list[str] = []
    started = 0
    for line in process.stderr:
        log.append(line)
        if "Application startup complete" in line:
            started += 1
            if started == workers:
                break
    else:
        raise SystemExit("le serveur n'a pas démarré :\n" + "".join(log))
    drain = threading.Thread(target=lambda: log.extend(process.stderr or []), daemon=True)
    drain.start()
    try:
        yield f"http://127.0.0.1:{port}{p.API_PREFIX}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def run_phase(phase: Phase, clients: int, jobs: list[Any], work: Callable[[requests.Session, Any], None]) -> None:
    pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)

    def client() -> None:
        with requests.Session() as session:
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                work(session, job)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - start


def timed(phase: Phase, call: Callable[[], requests.Response], expected: int) -> requests.Response | None:
    start = time.perf_counter()
    try:
        response = call()
    except requests.RequestException as exc:
        phase.record(time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
        return None
    error = None if response.status_code == expected else f"{response.status_code} {response.text[:200]}"
    phase.record(time.perf_counter() - start, error)
    return response if error is None else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--count", type=int, default=4000, help="questionnaires transmis")
    parser.add_argument("--clients", type=int, default=50, help="clients simultanés")
    parser.add_argument("--partners", type=int, help="organisations partenaires (défaut : count / 4)")
    parser.add_argument("--workers", type=int, default=1, help="processus serveurs (défaut 1)")
    args = parser.parse_args()
    partners = args.partners or max(1, args.count // 4)

    with database(args.database_url) as url:
        backend = make_url(url).get_backend_name()
        print(
            f"Base : {backend} ; {args.count} questionnaires, {partners} partenaires, {args.clients} clients, "
            f"{args.workers} processus serveur ; charge de la machine : {os.getloadavg()[0]:.1f}"
        )
        setup_start = time.perf_counter()
        emails = prepare(url, partners)
        print(f"Préparation (comptes, campagne) : {time.perf_counter() - setup_start:.1f} s")
        with server_process(url, args.workers) as api:
            tokens: dict[str, str] = {}
            login = Phase("connexion")

            def do_login(session: requests.Session, email: str) -> None:
                body = {"email": email, "password": PASSWORD}
                response = timed(login, lambda: session.post(f"{api}/auth/token", json=body, timeout=TIMEOUT), 200)
                if response is not None:
                    tokens[email] = response.json()["access_token"]

            run_phase(login, args.clients, emails, do_login)

            jobs = []
            for n in range(args.count):
                email = emails[n % partners]
                answers = complete_answers()
                answers["nom_structure"] = f"Association n°{n} — « Réussir Ensemble »"
                body = p.VersionBody.build(
                    base_version_id=None, form_id=FORM_ID, form_version=FORM_VERSION, answers=answers
                )
                jobs.append((email, uuid.uuid4(), uuid.uuid4(), body.model_dump_json().encode()))
            transmit = Phase("transmission")

            def do_transmit(session: requests.Session, job: tuple[str, uuid.UUID, uuid.UUID, bytes]) -> None:
                email, qid, vid, data = job
                headers = {
                    "Authorization": f"Bearer {tokens.get(email, '')}",
                    "Content-Type": "application/json",
                    p.IDEMPOTENCY_KEY_HEADER: str(vid),
                }
                url_ = f"{api}/questionnaires/{qid}/versions/{vid}"
                timed(transmit, lambda: session.put(url_, data=data, headers=headers, timeout=TIMEOUT), 201)

            run_phase(transmit, args.clients, jobs, do_transmit)

            pull = Phase("réception (pages)")
            received: dict[str, int] = {}

            def do_pull(session: requests.Session, email: str) -> None:
                headers = {"Authorization": f"Bearer {tokens.get(email, '')}"}
                since: str | None = None
                count = 0
                while True:
                    params: dict[str, str | int] = {"limit": 100, **({"since": since} if since else {})}
                    response = timed(
                        pull,
                        partial(session.get, f"{api}/changes", params=params, headers=headers, timeout=TIMEOUT),
                        200,
                    )
                    if response is None:
                        return
                    page = p.ChangesPage.model_validate_json(response.content)
                    count += len(page.changes)
                    since = page.next_cursor
                    if not page.has_more:
                        received[email] = count
                        return

            run_phase(pull, args.clients, emails, do_pull)

    expected_changes = 2 * args.count  # a version and a state change per transmission
    missing = expected_changes - sum(received.values())
    rows = []
    for phase in (login, transmit, pull):
        s = summary_ms(phase.latencies) if phase.latencies else {"p50": 0, "p99": 0, "max": 0}
        rate = len(phase.latencies) / phase.seconds if phase.seconds else 0.0
        rows.append(
            [phase.name, len(phase.latencies), len(phase.errors), s["p50"], s["p99"], s["max"], phase.seconds, rate]
        )
    print(table(rows, ["phase", "requêtes", "erreurs", "p50 ms", "p99 ms", "max ms", "durée s", "req/s"]))
    server_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"CPU : serveur {server_cpu.ru_utime + server_cpu.ru_stime:.1f} s, "
        f"clients (et préparation) {client_cpu.ru_utime + client_cpu.ru_stime:.1f} s"
    )
    total = login.seconds + transmit.seconds + pull.seconds
    print(f"Total (connexion + transmission + réception) : {total:.1f} s ; changements manquants : {missing}")
    for phase in (login, transmit, pull):
        for error in phase.errors[:3]:
            print(f"  erreur ({phase.name}) : {error}")
    p99 = summary_ms(transmit.latencies)["p99"] if transmit.latencies else float("inf")
    errors = sum(len(ph.errors) for ph in (login, transmit, pull)) + abs(missing)
    met = transmit.seconds < 60 and total < 60 and p99 < 500 and errors == 0
    print("Objectif (< 60 s, p99 < 500 ms, 0 erreur) : " + ("atteint" if met else "NON atteint"))
    raise SystemExit(0 if met else 1)


if __name__ == "__main__":
    main()
