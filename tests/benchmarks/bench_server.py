"""A national campaign on loopback: N questionnaires transmitted by C concurrent clients, then pulled.

The server runs in its own process (`bilan-clas-server serve`, as in production); each client is a
thread with its own requests.Session. Phases, each timed: every partner logs in (argon2 with the
server's own settings); the questionnaires are transmitted (one PUT each, or with --batch one
`POST /sync/push` per partner); every partner pulls its change feed to the end. The bare baseline
is `GET /api/v1/meta` in the same run: at rest before the phases, and probed during the
transmissions. Targets: under 60 s in all (logins included), transmission p99 under 500 ms, no error.

    .venv/bin/python -m tests.benchmarks.bench_server [--database-url URL] [--count 4000] [--clients 50]
        [--workers 2] [--batch] [--preseed 36000]

Without --database-url the server uses a fresh SQLite file (WAL, synchronous=FULL). With a
PostgreSQL URL (postgresql+psycopg://user@host:port/db) the script creates a fresh database on
that server and drops it at the end; it refuses a server that runs with fsync or
synchronous_commit off (an acknowledged transmission must survive a power cut). `--preseed N`
writes N transmissions of other organisations in bulk before the server starts, to measure at
size (the 10× row: --preseed 36000 for 40,000 in the database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import queue
import resource
import signal
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
from argon2.low_level import Type
from requests.adapters import HTTPAdapter
from sqlalchemy.engine import make_url

from sync import protocol as p
from sync.server import accounts, campaigns
from sync.server.context import ServerContext, server_hasher
from sync.server.settings import Settings
from tests.benchmarks.report import summary_ms, table
from tests.forms.sample_answers import FORM_ID, FORM_VERSION, complete_answers

PASSWORD = "mot-de-passe-du-banc"
TIMEOUT = (5, 60)


class HashOnce(PasswordHasher):
    """The server's own argon2 parameters, hashing the benchmark's one password once: every account gets
    its own copy of that hash, so each login verifies at the server's real cost without 40 ms of setup
    per account."""

    def __init__(self, real: PasswordHasher) -> None:
        super().__init__(
            time_cost=real.time_cost,
            memory_cost=real.memory_cost,
            parallelism=real.parallelism,
            hash_len=real.hash_len,
            salt_len=real.salt_len,
            type=Type.ID,
        )
        self._hashes: dict[str, str] = {}

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        key = password if isinstance(password, str) else password.decode()
        if key not in self._hashes:
            self._hashes[key] = super().hash(password, salt=salt)
        return self._hashes[key]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    server_cpu: float = 0.0  # CPU seconds the server's processes used during the phase
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


def check_durable(url: str) -> str:
    """How the database makes a commit durable; SystemExit when it does not (fsync off)."""
    from sqlalchemy import create_engine, text

    if make_url(url).get_backend_name() == "sqlite":
        return "SQLite WAL, synchronous=FULL (sync.server.db)"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            fsync = conn.execute(text("SHOW fsync")).scalar_one()
            commit = conn.execute(text("SHOW synchronous_commit")).scalar_one()
            version = conn.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    if fsync != "on" or commit == "off":
        raise SystemExit(
            f"PostgreSQL tourne avec fsync={fsync}, synchronous_commit={commit} : une transmission acquittée "
            "ne survivrait pas à une coupure de courant. Relancez-le avec -c fsync=on "
            "(BILAN_CLAS_PG_FSYNC=on bash -c 'source .ci/postgres; …')."
        )
    return f"PostgreSQL {version}, fsync={fsync}, synchronous_commit={commit}"


def prepare(url: str, partners: int) -> list[str]:
    """The partners' accounts and an extended campaign, written before the server starts."""
    ctx = ServerContext.open(Settings(database_url=url), hasher=HashOnce(server_hasher()))
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


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its descendants, from /proc (the server's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
        stats[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += stats.get(current, 0.0)
        pending += children.get(current, [])
    return total


SERVER_PID: list[int] = []


@contextmanager
def server_process(url: str, workers: int) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, "-m", "sync.server.cli", "serve", "--port", str(port), "--database-url", url]
    command += ["--workers", str(workers)]
    if profile := os.environ.get("BENCH_SERVER_PROFILE"):  # a py-spy raw profile of the server, for flame graphs
        command = ["py-spy", "record", "--format", "raw", "--rate", "200", "--subprocesses", "-o", profile, "--"]
        command += [sys.executable, "-m", "sync.server.cli", "serve", "--port", str(port), "--database-url", url]
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    SERVER_PID[:] = [process.pid]
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
    api = f"http://127.0.0.1:{port}{p.API_PREFIX}"
    deadline = time.monotonic() + 30
    while True:  # « startup complete » may come just before the socket listens
        try:
            requests.get(f"{api}/meta", timeout=TIMEOUT).raise_for_status()
            break
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise SystemExit("le serveur ne répond pas :\n" + "".join(log)) from None
            time.sleep(0.05)
    try:
        yield api
    finally:
        process.send_signal(signal.SIGINT if os.environ.get("BENCH_SERVER_PROFILE") else signal.SIGTERM)
        process.wait(timeout=60)


class SourceAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def run_phase(phase: Phase, clients: int, jobs: list[Any], work: Callable[[requests.Session, Any], None]) -> None:
    pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
    for job in jobs:
        pending.put(job)

    def client(number: int) -> None:
        with requests.Session() as session:
            # Each client from its own loopback address (127.0.0.0/8), as partners are on their own lines:
            # the server's per-address login throttling sees 50 clients, not one.
            session.mount("http://", SourceAddress(f"127.0.{1 + number // 250}.{1 + number % 250}"))
            while True:
                try:
                    job = pending.get_nowait()
                except queue.Empty:
                    return
                work(session, job)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    cpu = tree_cpu(SERVER_PID[0])
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - start
    phase.server_cpu = tree_cpu(SERVER_PID[0]) - cpu


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


def preseed(url: str, count: int) -> None:
    """`count` transmissions of other organisations (4 each), written in bulk as the server writes them:
    account, feed counter, claim, questionnaire, version, idempotency record and two feed rows each."""
    from sqlalchemy import insert

    from forms.payload import canonical_json
    from sync.server import models as m
    from sync.server.db import table

    ctx = ServerContext.open(Settings(database_url=url), hasher=HashOnce(server_hasher()))
    try:
        password_hash = ctx.hasher.hash(PASSWORD)
        now = ctx.now()
        answers = complete_answers()
        organisations = max(1, count // 4)
        with ctx.db.write_engine.begin() as conn:
            start = conn.execute(insert(table(m.Account)).returning(table(m.Account).c.id), [
                {"email": f"preseed-{n:06d}@exemple.fr", "role": accounts.PARTNER, "caf": f"{1 + n % 101:03d}",
                 "name": f"Ancienne {n}", "password_hash": password_hash, "created_at": now}
                for n in range(organisations)
            ]).scalars().all()  # fmt: skip
        ids = list(start)
        per_org = {org: 0 for org in ids}
        chunk = 2000
        for first in range(0, count, chunk):
            rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("claim", "q", "v", "r", "f")}
            for n in range(first, min(count, first + chunk)):
                org = ids[n % organisations]
                caf = f"{1 + (n % organisations) % 101:03d}"
                qid, vid = uuid.uuid4(), uuid.uuid4()
                answers["nom_structure"] = f"Ancienne association n°{n}"
                body = p.VersionBody.build(
                    base_version_id=None, form_id=FORM_ID, form_version=FORM_VERSION, answers=answers
                )
                answers_json = canonical_json(answers)
                seq = per_org[org] + 1
                per_org[org] += 2
                version = p.VersionChangeData(
                    version_id=vid, base_version_id=None, server_rev=1, author_role="partner", form_id=FORM_ID,
                    form_version=FORM_VERSION, answers=answers, attachments=[], payload_sha256=body.payload_sha256,
                    created_at=now,
                )  # fmt: skip
                state = p.StateChangeData.model_validate({"state": "transmis", "version_id": vid, "at": now})
                accepted = p.VersionAccepted.model_validate(
                    {"questionnaire_id": qid, "version_id": vid, "server_rev": 1, "state": "transmis", "seq": seq}
                )
                rows["claim"].append({"questionnaire_id": qid, "organisation_id": org, "created_at": now})
                rows["q"].append({
                    "id": qid, "organisation_id": org, "caf": caf, "form_id": FORM_ID, "form_version": FORM_VERSION,
                    "state": "transmis", "current_version_id": vid, "server_rev": 1, "created_at": now,
                    "updated_at": now,
                })  # fmt: skip
                rows["v"].append({
                    "id": vid, "questionnaire_id": qid, "base_version_id": None, "server_rev": 1,
                    "author_role": "partner", "author_id": org, "form_id": FORM_ID, "form_version": FORM_VERSION,
                    "answers_json": answers_json, "attachments_json": "[]", "payload_sha256": body.payload_sha256,
                    "created_at": now,
                })  # fmt: skip
                rows["r"].append({
                    "key": vid, "scope": f"org:{org}", "questionnaire_id": qid, "payload_sha256": body.payload_sha256,
                    "status": 201, "response_json": accepted.model_dump_json(), "created_at": now,
                })  # fmt: skip
                for offset, data in enumerate((version, state)):
                    rows["f"].append({
                        "organisation_id": org, "seq": seq + offset, "type": p.change_type(data),
                        "questionnaire_id": qid, "data_json": canonical_json(data.model_dump(mode="json")),
                        "created_at": now,
                    })  # fmt: skip
            with ctx.db.write_engine.begin() as conn:
                for key, model in (("claim", m.QuestionnaireClaim), ("q", m.Questionnaire), ("v", m.Version),
                                   ("r", m.IdempotencyRecord), ("f", m.FeedChange)):  # fmt: skip
                    conn.execute(insert(table(model)), rows[key])
        with ctx.db.write_engine.begin() as conn:
            conn.execute(
                insert(table(m.FeedCounter)),
                [{"organisation_id": org, "last_seq": last} for org, last in per_org.items()],
            )
    finally:
        ctx.close()


def hash_settings(url: str) -> str:
    """The argon2 parameters of the stored hashes, read back from the database (what the logins verify)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT password_hash FROM account LIMIT 1")).scalar_one()
    finally:
        engine.dispose()
    return stored.split("$")[3]  # $argon2id$v=19$m=…,t=…,p=…$salt$hash


@dataclass
class Meta:
    """The bare baseline: GET /api/v1/meta (no token, no database write)."""

    rest: Phase = field(default_factory=lambda: Phase("meta au repos"))
    loaded: Phase = field(default_factory=lambda: Phase("meta pendant les transmissions"))
    stop: threading.Event = field(default_factory=threading.Event)

    def at_rest(self, api: str, count: int = 200) -> None:
        with requests.Session() as session:
            start = time.perf_counter()
            for _ in range(count):
                timed(self.rest, partial(session.get, f"{api}/meta", timeout=TIMEOUT), 200)
            self.rest.seconds = time.perf_counter() - start

    @contextmanager
    def probing(self, api: str, every: float = 0.05) -> Iterator[None]:
        def probe() -> None:
            with requests.Session() as session:
                start = time.perf_counter()
                while not self.stop.wait(every):
                    timed(self.loaded, partial(session.get, f"{api}/meta", timeout=TIMEOUT), 200)
                self.loaded.seconds = time.perf_counter() - start

        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        try:
            yield
        finally:
            self.stop.set()
            thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--count", type=int, default=4000, help="questionnaires transmis")
    parser.add_argument("--clients", type=int, default=50, help="clients simultanés")
    parser.add_argument("--partners", type=int, help="organisations partenaires (défaut : count / 4)")
    parser.add_argument("--workers", type=int, default=1, help="processus serveurs (défaut 1)")
    parser.add_argument(
        "--batch", action="store_true", help="chaque partenaire transmet ses questionnaires en un POST /sync/push"
    )
    parser.add_argument("--preseed", type=int, default=0, help="transmissions d'autres organisations déjà en base")
    args = parser.parse_args()
    partners = args.partners or max(1, args.count // 4)

    with database(args.database_url) as url:
        durability = check_durable(url)
        print(
            f"Base : {durability} ; {args.count} questionnaires, {partners} partenaires, {args.clients} clients, "
            f"{args.workers} processus serveur, {'lots /sync/push' if args.batch else 'un PUT chacun'} ; "
            f"charge de la machine : {os.getloadavg()[0]:.1f}"
        )
        setup_start = time.perf_counter()
        emails = prepare(url, partners)
        if args.preseed:
            preseed(url, args.preseed)
        seeded = f", {args.preseed} transmissions en base" if args.preseed else ""
        print(
            f"Préparation (comptes, campagne{seeded}) : {time.perf_counter() - setup_start:.1f} s ; "
            f"argon2id {hash_settings(url)} (réglages du serveur)"
        )
        meta = Meta()
        with server_process(url, args.workers) as api:
            meta.at_rest(api)
            tokens: dict[str, str] = {}
            login = Phase("connexion")

            def do_login(session: requests.Session, email: str) -> None:
                body = {"email": email, "password": PASSWORD}
                response = timed(login, lambda: session.post(f"{api}/auth/token", json=body, timeout=TIMEOUT), 200)
                if response is not None:
                    tokens[email] = response.json()["access_token"]

            run_phase(login, args.clients, emails, do_login)

            bodies: dict[str, list[tuple[uuid.UUID, uuid.UUID, p.VersionBody]]] = {email: [] for email in emails}
            for n in range(args.count):
                answers = complete_answers()
                answers["nom_structure"] = f"Association n°{n} — « Réussir Ensemble »"
                body = p.VersionBody.build(
                    base_version_id=None, form_id=FORM_ID, form_version=FORM_VERSION, answers=answers
                )
                bodies[emails[n % partners]].append((uuid.uuid4(), uuid.uuid4(), body))
            transmit = Phase("transmission" + (" (lots)" if args.batch else ""))
            items = {"done": 0}

            def do_transmit(session: requests.Session, job: tuple[str, uuid.UUID, uuid.UUID, bytes]) -> None:
                email, qid, vid, data = job
                headers = {
                    "Authorization": f"Bearer {tokens.get(email, '')}",
                    "Content-Type": "application/json",
                    p.IDEMPOTENCY_KEY_HEADER: str(vid),
                }
                url_ = f"{api}/questionnaires/{qid}/versions/{vid}"
                timed(transmit, lambda: session.put(url_, data=data, headers=headers, timeout=TIMEOUT), 201)

            def do_push(session: requests.Session, job: tuple[str, bytes, int]) -> None:
                email, data, size = job
                headers = {"Authorization": f"Bearer {tokens.get(email, '')}", "Content-Type": "application/json"}
                response = timed(
                    transmit, lambda: session.post(f"{api}/sync/push", data=data, headers=headers, timeout=TIMEOUT), 200
                )
                if response is None:
                    return
                refused = [r for r in p.PushResult.model_validate_json(response.content).results if r.status != 201]
                if refused:
                    transmit.record(0.0, f"{len(refused)} élément(s) refusé(s) : {refused[0].body}")
                with transmit.lock:
                    items["done"] += size

            jobs: list[Any]
            if args.batch:
                jobs = []
                for email, mine in bodies.items():
                    for start in range(0, len(mine), p.MAX_PUSH_ITEMS):
                        part = mine[start : start + p.MAX_PUSH_ITEMS]
                        batch = p.PushBatch(
                            items=[p.PushItem(questionnaire_id=q, version_id=v, body=b) for q, v, b in part]
                        )
                        jobs.append((email, batch.model_dump_json().encode(), len(part)))
                work: Callable[[requests.Session, Any], None] = do_push
            else:
                jobs = [
                    (email, q, v, b.model_dump_json().encode())
                    for n in range(max(map(len, bodies.values()), default=0))
                    for email, mine in bodies.items()
                    if n < len(mine)
                    for q, v, b in [mine[n]]
                ]
                work = do_transmit
            with meta.probing(api):
                run_phase(transmit, args.clients, jobs, work)

            pull = Phase("réception (pages)")
            received: dict[str, int] = {}
            cursors: dict[str, str] = {}

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
                        cursors[email] = since
                        return

            run_phase(pull, args.clients, emails, do_pull)

            # The everyday call: « anything new since my cursor? », at the end of the feed.
            again = Phase("réception, rien de neuf")

            def do_pull_again(session: requests.Session, email: str) -> None:
                headers = {"Authorization": f"Bearer {tokens.get(email, '')}"}
                params = {"limit": 100, "since": cursors.get(email, "")}
                timed(
                    again, partial(session.get, f"{api}/changes", params=params, headers=headers, timeout=TIMEOUT), 200
                )

            run_phase(again, args.clients, [e for e in emails if e in cursors], do_pull_again)

    expected_changes = 2 * args.count  # a version and a state change per transmission
    missing = expected_changes - sum(received.values())
    if args.batch and items["done"] != args.count:
        transmit.errors.append(f"{args.count - items['done']} transmission(s) sans réponse")
    phases = (meta.rest, meta.loaded, login, transmit, pull, again)
    rows = []
    for phase in phases:
        s = summary_ms(phase.latencies) if phase.latencies else {"p50": 0, "p99": 0, "max": 0}
        done = items["done"] if phase is transmit and args.batch else len(phase.latencies)
        rate = done / phase.seconds if phase.seconds else 0.0
        cpu_each = phase.server_cpu * 1000 / done if done and phase.server_cpu else 0.0
        rows.append(
            [
                phase.name, len(phase.latencies), len(phase.errors), s["p50"], s["p99"], s["max"], phase.seconds, rate,
                cpu_each,
            ]
        )  # fmt: skip
    header = ["phase", "requêtes", "erreurs", "p50 ms", "p99 ms", "max ms", "durée s", "par s", "CPU serveur ms/u"]
    print(table(rows, header))
    server_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"CPU : serveur {server_cpu.ru_utime + server_cpu.ru_stime:.1f} s, "
        f"clients (et préparation) {client_cpu.ru_utime + client_cpu.ru_stime:.1f} s ; "
        f"charge de la machine : {os.getloadavg()[0]:.1f}"
    )
    total = login.seconds + transmit.seconds + pull.seconds
    print(f"Total (connexion + transmission + réception) : {total:.1f} s ; changements manquants : {missing}")
    for phase in phases:
        for error in phase.errors[:3]:
            print(f"  erreur ({phase.name}) : {error}")
    p99 = summary_ms(transmit.latencies)["p99"] if transmit.latencies else float("inf")
    meta_p99 = summary_ms(meta.loaded.latencies)["p99"] if meta.loaded.latencies else float("nan")
    print(f"p99 des transmissions / p99 de meta pendant les transmissions : {p99 / meta_p99:.1f}×")
    errors = sum(len(ph.errors) for ph in phases) + abs(missing)
    met = total < 60 and p99 < 500 and errors == 0
    print("Objectif (< 60 s en tout, p99 < 500 ms, 0 erreur) : " + ("atteint" if met else "NON atteint"))
    raise SystemExit(0 if met else 1)


if __name__ == "__main__":
    main()
