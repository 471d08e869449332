"""Helpers of the sync suite: a live server that can go down and come back on the same address,
filling and transmitting questionnaires, syncing until the outbox is empty, and the audit that
compares what the client holds with what the server holds (duplicates, losses, divergence)."""

from __future__ import annotations

import datetime as dt
import os
import random
import socket
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from forms.attachments import import_attachment
from forms.lifecycle import Status
from forms.store import Store
from forms.store.outbox import Outbox
from sync.engine import Backoff, Synchroniser, SyncResult
from sync.errors import Transient
from sync.server import accounts, campaigns
from sync.server import models as server_models
from sync.server.app import create_app
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES, FORM_ID, TITLE, complete_answers
from tests.server.conftest import FAST_HASHER, Clock, Server
from tests.support.live_server import ThreadedUvicorn

SEED_ENV = "BILAN_CLAS_CHAOS_SEED"
DEFAULT_SEED = 20_251_122
FAR_CLOSE = dt.date(2099, 12, 31)


def chaos_seed() -> int:
    """The seed of the fault RNGs: BILAN_CLAS_CHAOS_SEED to replay a failure, else a fixed one."""
    return int(os.environ.get(SEED_ENV) or DEFAULT_SEED)


class Uvicorn(ThreadedUvicorn):
    """ThreadedUvicorn on a chosen port (to come back on the same address after a stop).

    Its socket says proto=IPPROTO_TCP, as ThreadedUvicorn's: asyncio only sets TCP_NODELAY on such
    sockets, and without it every reply waits ~40 ms (Nagle against the client's delayed ACK).
    """

    def __init__(self, app: Any, port: int = 0) -> None:
        super().__init__(app)
        self.sock.close()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name=f"uvicorn-{self.port}", daemon=True
        )


class LiveServer:
    """The reference server on a temporary SQLite file; `stop()` and `start()` keep its address and data."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.clock = Clock()
        self.ctx = ServerContext.open(
            Settings(database_url=f"sqlite:///{database}", clock=self.clock), hasher=FAST_HASHER
        )
        # clas-2024-2025 closed on 2025-10-15: extend it, as a Caf would for late transmissions.
        campaigns.set_window(self.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=FAR_CLOSE)
        self.port = 0
        self._uvicorn: Uvicorn | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api(self) -> Server:
        """tests.server's view of this server: accounts logged in over HTTP, with their own sessions."""
        return Server(self.url, self.ctx, self.clock)

    def start(self) -> LiveServer:
        self._uvicorn = Uvicorn(create_app(ctx=self.ctx), self.port).start()
        self.port = self._uvicorn.port
        return self

    def stop(self) -> None:
        if self._uvicorn is not None:
            self._uvicorn.stop()
            self._uvicorn = None

    def close(self) -> None:
        self.stop()
        self.ctx.close()

    def organisation_id(self, email: str) -> int:
        found = accounts.find_account(self.ctx, email, accounts.PARTNER).id
        assert found is not None
        return found


# --- the client side -------------------------------------------------------------------------------


def fill_and_transmit(store: Store, count: int, *, tag: str = "", documents_every: int = 0) -> list[str]:
    """`count` complete questionnaires, each transmitted (À envoyer, waiting in the outbox); one in
    `documents_every` carries the optional document (its bytes then travel before the version)."""
    document = None
    if documents_every:
        source = store.path.parent / DOCUMENT["name"]
        source.write_bytes(DOCUMENT_BYTES)
        document = import_attachment(store, source)
    uuids = []
    for n in range(count):
        answers = complete_answers()
        answers["lieu_action"] = f"Maison de quartier n°{n}{tag}"
        if document is not None and n % documents_every == 0:
            answers["document_complementaire"] = document
        info = store.create(form_id=FORM_ID, title=f"{TITLE} — {n}{tag}", answers=answers)
        store.transmit(info.uuid)
        uuids.append(info.uuid)
    return uuids


def no_sleep(_seconds: float) -> None:
    pass


def fast_synchroniser(store: Store, client: Any, seed: int = 0, *, batch: bool = False) -> Synchroniser:
    """The real Synchroniser (or its batch push, as `bilan-clas sync` has it) with a fast backoff and no
    real waiting between attempts."""
    from sync.batch import BatchSynchroniser

    kind = BatchSynchroniser if batch else Synchroniser
    return kind(store, client, backoff=Backoff(base=0.001, cap=0.01, rng=random.Random(seed)), sleep=no_sleep)


@dataclass
class Convergence:
    runs: int = 0
    interrupted: Counter[str] = field(default_factory=Counter)  # runs stopped by an unknown outcome, by class
    deferred: int = 0  # items postponed to a later run
    results: list[SyncResult] = field(default_factory=list)


def sync_until_empty(sync: Synchroniser, *, max_runs: int, context: str = "") -> Convergence:
    """Run the synchroniser again and again, as the app does on each reconnection, until nothing is pending."""
    outcome = Convergence()
    outbox = Outbox(sync.store)
    while outbox.count("pending"):
        assert outcome.runs < max_runs, f"{context}: still {outbox.count('pending')} pending after {max_runs} runs"
        outcome.runs += 1
        try:
            result = sync.run()
        except Transient as error:
            outcome.interrupted[type(error).__name__] += 1
            continue
        outcome.deferred += result.deferred
        outcome.results.append(result)
    return outcome


def integrity_check(path: Path) -> str:
    """PRAGMA integrity_check on a SQLite file (the full check, not quick_check)."""
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every local table, sorted: two dumps are equal when nothing changed."""
    connection = sqlite3.connect(store.path)
    try:
        tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(connection.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        connection.close()


# --- what each side holds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """One version as a side holds it."""

    questionnaire_id: str
    version_id: str
    payload_sha256: str
    server_rev: int | None
    author_role: str = "partner"


def server_versions(server: LiveServer, organisation_id: int) -> list[Held]:
    with server.ctx.db.read() as session:
        rows = session.exec(
            select(server_models.Version)
            .join(
                server_models.Questionnaire,
                col(server_models.Questionnaire.id) == server_models.Version.questionnaire_id,
            )
            .where(server_models.Questionnaire.organisation_id == organisation_id)
        ).all()
    return [Held(str(v.questionnaire_id), str(v.id), v.payload_sha256, v.server_rev, v.author_role) for v in rows]


def server_documents(server: LiveServer, organisation_id: int) -> int:
    """Documents received by the server for this organisation's questionnaires."""
    with server.ctx.db.read() as session:
        return len(
            session.exec(
                select(server_models.Attachment.sha256).where(
                    server_models.Attachment.organisation_id == organisation_id
                )
            ).all()
        )


def server_questionnaires(server: LiveServer, organisation_id: int) -> dict[str, str]:
    """Questionnaire id -> state, on the server."""
    with server.ctx.db.read() as session:
        rows = session.exec(
            select(server_models.Questionnaire).where(server_models.Questionnaire.organisation_id == organisation_id)
        ).all()
    return {str(q.id): q.state for q in rows}


@dataclass
class Audit:
    """Client against server, after a sync. Every count but the first two must be 0."""

    server_questionnaires: int
    server_versions: int
    duplicates: int  # versions the server executed that the client does not hold under that id
    lost: int  # transmissions the client holds as sent or queued that the server does not have
    diverged: int  # a server version missing locally, or the same id with another payload hash or revision
    refused: int  # transmissions refused for good (under chaos: spurious conflicts)
    not_transmitted: int  # local questionnaires not Transmis, or a version without server_rev
    pending: int  # transmissions still in the outbox

    @property
    def anomalies(self) -> int:
        return self.duplicates + self.lost + self.diverged + self.refused + self.not_transmitted + self.pending

    def line(self) -> str:
        return (
            f"server: {self.server_questionnaires} questionnaires, {self.server_versions} versions; "
            f"duplicates={self.duplicates} lost={self.lost} diverged={self.diverged} refused={self.refused} "
            f"not_transmitted={self.not_transmitted} pending={self.pending}"
        )


def audit(store: Store, server: LiveServer, organisation_id: int) -> Audit:
    """Compare the client's transmissions and versions with the server's: ids, payload hashes, revisions."""
    on_server = {h.version_id: h for h in server_versions(server, organisation_id)}
    outbox = Outbox(store)
    local: dict[str, Held] = {}
    ops: dict[str, str] = {}  # op id (= version id = idempotency key) -> outbox state
    not_transmitted = 0
    for info in store.list():
        versions = store.versions(info.uuid)
        for v in versions:
            local[v.version_id] = Held(info.uuid, v.version_id, v.payload_sha256, v.server_rev, v.author)
        if info.status != Status.TRANSMIS or any(v.server_rev is None for v in versions):
            not_transmitted += 1
        ops.update((item.op_id, item.state) for item in outbox.items(info.uuid))
    # The version id is the server's primary key and the client's idempotency key: a transmission
    # executed twice shows as a partner version the client never sent under that id.
    duplicates = sum(1 for vid, held in on_server.items() if held.author_role == "partner" and vid not in ops)
    lost = sum(1 for vid, state in ops.items() if state in ("done", "pending") and vid not in on_server)
    diverged = sum(1 for vid in on_server if vid not in local) + sum(
        1
        for vid, mine in local.items()
        if vid in on_server
        and (mine.payload_sha256, mine.server_rev, mine.questionnaire_id)
        != (on_server[vid].payload_sha256, on_server[vid].server_rev, on_server[vid].questionnaire_id)
    )
    states = Counter(ops.values())
    return Audit(
        server_questionnaires=len(server_questionnaires(server, organisation_id)),
        server_versions=len(on_server),
        duplicates=duplicates,
        lost=lost,
        diverged=diverged,
        refused=states["failed"],
        not_transmitted=not_transmitted,
        pending=states["pending"],
    )


def assert_exactly_once(found: Audit, expected: int, context: str) -> None:
    """The chaos invariant: exactly `expected` questionnaires and versions, nothing duplicated, lost or diverged."""
    assert (found.server_questionnaires, found.server_versions) == (expected, expected), f"{context}: {found.line()}"
    assert found.anomalies == 0, f"{context}: {found.line()}"
