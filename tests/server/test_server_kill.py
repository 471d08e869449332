"""kill -9 of the server process while 10 clients transmit (SQLite and PostgreSQL).

The server runs as a real `bilan-clas-server serve` child process on a fixed port. A killer thread
waits for the server to commit new versions, then sends SIGKILL after a seeded random delay (so
kills land during writes), and starts it again on the same port. Ten clients (each its own store,
account and thread) sync until their outboxes are empty, retrying as the app does. Afterwards:
exactly N versions on the server, 0 duplicates, 0 lost, each client's store saying what the server
says, and every organisation's feed numbered 1..n with one version change per version.

Size: CI runs BILAN_CLAS_KILL_TRANSMISSIONS=120 / BILAN_CLAS_KILL_KILLS=10 (the default); the
documented run is 1000 / 50 (README). Replay with BILAN_CLAS_CHAOS_SEED=<the seed in the failure>.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import pytest
import requests
from sqlalchemy import func
from sqlmodel import select

from forms.registry import FormRegistry
from forms.store import Store
from forms.store.outbox import Outbox
from sync import account
from sync import protocol as p
from sync.errors import SyncError
from sync.server import accounts, campaigns
from sync.server.context import ServerContext
from sync.server.models import FeedChange, Questionnaire, Version
from sync.server.settings import Settings
from tests.forms.sample_answers import FORM_ID
from tests.server.conftest import FAST_HASHER, PASSWORD
from tests.sync.support import (
    Audit,
    LiveServer,
    assert_exactly_once,
    audit,
    chaos_seed,
    fast_synchroniser,
    fill_and_transmit,
)

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 10
TRANSMISSIONS = int(os.environ.get("BILAN_CLAS_KILL_TRANSMISSIONS", "120"))
KILLS = int(os.environ.get("BILAN_CLAS_KILL_KILLS", "10"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class ServerProcess:
    """`bilan-clas-server serve` as a child process that can be killed and started again on one port."""

    def __init__(self, database_url: str, log: Path) -> None:
        self.database_url = database_url
        self.port = _free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sync.server.cli", "serve", "--port", str(self.port),
                 "--database-url", self.database_url],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text(errors="replace")[-2000:]
            try:
                if requests.get(f"{self.url}{p.API_PREFIX}/meta", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)  # waiting for the child to listen, not timing a test
        raise AssertionError("le serveur n'a pas redémarré")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _versions(ctx: ServerContext) -> int:
    with ctx.db.read() as session:
        return int(session.exec(select(func.count()).select_from(Version)).one())


@pytest.fixture
def prepared(database_url: str) -> Iterator[tuple[ServerContext, list[str]]]:
    """A fresh schema with 10 partner accounts and the campaign open."""
    ctx = ServerContext.open(Settings(database_url=database_url), hasher=FAST_HASHER)
    campaigns.set_window(ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2099, 12, 31))
    emails = []
    for n in range(CLIENTS):
        email = f"kill-{n}-{os.urandom(3).hex()}@exemple.fr"
        accounts.create_account(ctx, role=accounts.PARTNER, email=email, password=PASSWORD, caf="73")
        emails.append(email)
    yield ctx, emails
    ctx.close()


def _client(
    server: ServerProcess, folder: Path, email: str, count: int, registry: FormRegistry, stop: threading.Event,
    errors: list[BaseException], seed: int,
) -> None:  # fmt: skip
    try:
        store = Store.open(folder, registry)
        try:
            fill_and_transmit(store, count, tag=f" {email}")
            while True:
                try:
                    account.login(store, server.url, email, PASSWORD)
                    break
                except SyncError:
                    time.sleep(0.05)  # the server is down: try again, as the app does
            rng = random.Random(seed)
            while Outbox(store).count("pending"):
                try:
                    fast_synchroniser(store, account.connected_client(store), seed).run()
                except SyncError:
                    if stop.is_set():
                        raise
                    time.sleep(rng.uniform(0.01, 0.1))
        finally:
            store.close()
    except BaseException as error:  # reported by the main thread
        errors.append(error)


def _audits(ctx: ServerContext, folders: list[Path], emails: list[str], registry: FormRegistry) -> list[Audit]:
    found = []
    live = cast(LiveServer, SimpleNamespace(ctx=ctx))
    for folder, email in zip(folders, emails, strict=True):
        store = Store.open(folder, registry)
        try:
            found.append(audit(store, live, accounts.find_account(ctx, email, accounts.PARTNER).id or 0))
        finally:
            store.close()
    return found


def _feeds_complete(ctx: ServerContext) -> list[str]:
    """Per organisation: feed seqs are 1..n with no gap, and one version change per version."""
    problems = []
    with ctx.db.read() as session:
        orgs = set(session.exec(select(Questionnaire.organisation_id)).all())
        for org in orgs:
            seqs = sorted(session.exec(select(FeedChange.seq).where(FeedChange.organisation_id == org)).all())
            if seqs != list(range(1, len(seqs) + 1)):
                problems.append(f"organisation {org}: feed seqs with gaps or repeats")
            versions = session.exec(
                select(func.count())
                .select_from(Version)
                .join(Questionnaire, Questionnaire.id == Version.questionnaire_id)  # type: ignore[arg-type]
                .where(Questionnaire.organisation_id == org)
            ).one()
            changes = session.exec(
                select(func.count()).where(
                    FeedChange.organisation_id == org, FeedChange.type == "questionnaire.version"
                )
            ).one()
            if versions != changes:
                problems.append(f"organisation {org}: {versions} versions, {changes} version changes in the feed")
    return problems


def test_kill_9_of_the_server_loses_and_duplicates_nothing(
    prepared: tuple[ServerContext, list[str]], tmp_path: Path, registry: FormRegistry, database_url: str
) -> None:
    ctx, emails = prepared
    seed = chaos_seed()
    rng = random.Random(seed)
    server = ServerProcess(database_url, tmp_path / "server.log")
    server.start()
    stop = threading.Event()
    errors: list[BaseException] = []
    folders = [tmp_path / f"client-{n}" for n in range(CLIENTS)]
    per_client = [TRANSMISSIONS // CLIENTS + (1 if n < TRANSMISSIONS % CLIENTS else 0) for n in range(CLIENTS)]
    threads = [
        threading.Thread(
            target=_client, args=(server, folders[n], emails[n], per_client[n], registry, stop, errors, seed + n)
        )
        for n in range(CLIENTS)
    ]
    kills = 0
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 600
        while kills < KILLS and any(t.is_alive() for t in threads) and time.monotonic() < deadline:
            before = _versions(ctx)
            while _versions(ctx) == before and any(t.is_alive() for t in threads):
                time.sleep(0.01)  # wait for writes to be under way (a condition, not a timing)
            time.sleep(rng.uniform(0.0, 0.15))  # then land the kill at a random point of the next ones
            server.kill()
            kills += 1
            server.start()
        for thread in threads:
            thread.join(600)
        stop.set()
        assert not errors, errors
        assert not any(t.is_alive() for t in threads), "clients still running"
        found = _audits(ctx, folders, emails, registry)
        total = sum(a.server_versions for a in found)
        duplicates, lost = sum(a.duplicates for a in found), sum(a.lost for a in found)
        print(
            f"server kill -9 ({ctx.db.write_engine.dialect.name}): seed={seed}, {TRANSMISSIONS} transmissions by "
            f"{CLIENTS} clients, {kills} kills: {total} versions, {duplicates} duplicates, {lost} lost"
        )
        assert kills == KILLS, f"only {kills} kills landed before the clients finished"
        for a, count in zip(found, per_client, strict=True):
            assert_exactly_once(a, count, f"seed={seed}")
        assert total == TRANSMISSIONS
        assert _feeds_complete(ctx) == []
        # Negative control: the same checks catch a lost and a duplicated version.
        _negative_control(ctx, server, folders[0], emails[0], per_client[0], registry)
    except AssertionError as error:
        error.add_note(f"server kill seed={seed} (replay: BILAN_CLAS_CHAOS_SEED={seed})")
        raise
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
        server.stop()


def _negative_control(
    ctx: ServerContext, server: ServerProcess, folder: Path, email: str, count: int, registry: FormRegistry
) -> None:
    live = cast(LiveServer, SimpleNamespace(ctx=ctx))
    org = accounts.find_account(ctx, email, accounts.PARTNER).id or 0
    store = Store.open(folder, registry)
    try:
        # A duplicate: the server executes a transmission the client never made under that id.
        info = store.list()[0]
        sent = Outbox(store).items(info.uuid)[0].payload()
        token = p.TokenResponse.model_validate_json(
            requests.post(
                f"{server.url}{p.API_PREFIX}/auth/token", json={"email": email, "password": PASSWORD}, timeout=30
            ).content
        ).access_token
        body = p.VersionBody.build(
            base_version_id=None, form_id=sent["form_id"], form_version=sent["form_version"], answers=sent["answers"]
        ).model_dump(mode="json")
        extra = requests.put(
            f"{server.url}{p.API_PREFIX}/questionnaires/{uuid.uuid4()}/versions/{uuid.uuid4()}",
            json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30,
        )  # fmt: skip
        assert extra.status_code == 201, extra.text
        with pytest.raises(AssertionError, match="duplicates=1"):
            assert_exactly_once(audit(store, live, org), count, "negative control")
    finally:
        store.close()
