"""Feed completeness under two concurrent server writers: two server processes' worth of app (two
contexts, two uvicorns) on one database, a partner transmitting through one while its Caf adds notices
through the other, and a client reading pages of 7 from either, interrupted at random (the page is
dropped before its cursor is stored, as a crash would). Every change must arrive exactly once.

Seeded (BILAN_CLAS_CHAOS_SEED). The negative control stores the cursor before applying the page: the
same check must then find changes missing.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator

import pytest

from sync.server.app import create_app
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.server.conftest import FAST_HASHER, Client, Server
from tests.support.live_server import ThreadedUvicorn
from tests.sync.support import chaos_seed

QUESTIONNAIRES = 30
PAGE = 7


@pytest.fixture
def second(server: Server) -> Iterator[Server]:
    """Another app on the same database: its own context, pool and uvicorn (a second writer)."""
    ctx = ServerContext.open(
        Settings(database_url=server.ctx.settings.database_url, clock=server.clock), hasher=FAST_HASHER
    )
    live = ThreadedUvicorn(create_app(ctx=ctx)).start()
    try:
        yield Server(live.url, ctx, server.clock)
    finally:
        live.stop()
        ctx.close()


def _on(client: Client, other: Server) -> Client:
    """The same account (same token) talking to the other server."""
    twin = Client(other, client.email, client.role, client.caf, token=client.token)
    twin.session.headers["Authorization"] = f"Bearer {client.token}"
    return twin


def _read(readers: list[Client], rng: random.Random, done: threading.Event, lose_pages: bool) -> list[int]:
    """Read the feed in pages of PAGE until the writers are done and nothing is left; return the seqs kept."""
    kept: list[int] = []
    cursor: str | None = None
    while True:
        page = rng.choice(readers).changes(cursor, PAGE)
        interrupted = rng.random() < 0.3
        if lose_pages and interrupted:
            cursor = page.next_cursor  # the bug: cursor stored, then the crash loses the page
            continue
        if interrupted:
            continue  # crashed before applying: the stored cursor has not moved, the page comes again
        kept.extend(change.seq for change in page.changes)
        cursor = page.next_cursor  # applied and stored together
        if not page.has_more and done.is_set():
            final = rng.choice(readers).changes(cursor, PAGE)
            if not final.changes:
                return kept


def _run(server: Server, second: Server, seed: int, lose_pages: bool) -> tuple[list[int], list[int]]:
    rng = random.Random(seed)
    partner = server.partner()
    reviewer = _on(server.reviewer(partner.caf), second)
    done = threading.Event()
    errors: list[BaseException] = []
    sent: list[uuid.UUID] = []

    def transmit() -> None:
        try:
            for _ in range(QUESTIONNAIRES):
                qid, _vid = partner.transmit()
                sent.append(qid)
        except BaseException as error:
            errors.append(error)

    def annotate() -> None:
        try:
            index = 0
            while index < QUESTIONNAIRES:
                if index < len(sent):
                    body = {"notice_id": str(uuid.uuid4()), "message": f"Remarque {index}"}
                    response = reviewer.post(f"/review/questionnaires/{sent[index]}/notices", json=body)
                    assert response.status_code == 201, response.text
                    index += 1
                elif not writers[0].is_alive():
                    return
        except BaseException as error:
            errors.append(error)

    writers = [threading.Thread(target=transmit), threading.Thread(target=annotate)]
    for writer in writers:
        writer.start()
    readers = [partner, _on(partner, second)]
    result: list[list[int]] = []
    reader = threading.Thread(target=lambda: result.append(_read(readers, rng, done, lose_pages)))
    reader.start()
    for writer in writers:
        writer.join(300)
    done.set()
    reader.join(300)
    assert not errors, errors
    everything, _ = partner.all_changes()
    return result[0], [c.seq for c in everything]


def test_every_change_arrives_exactly_once(server: Server, second: Server) -> None:
    seed = chaos_seed()
    kept, everything = _run(server, second, seed, lose_pages=False)
    context = f"feed seed={seed} (replay: BILAN_CLAS_CHAOS_SEED={seed})"
    assert len(everything) >= 2 * QUESTIONNAIRES, context  # a version and a notice each, at least
    assert sorted(kept) == kept, context  # in order
    assert kept == everything, context  # each exactly once, none missing


def test_negative_control_a_cursor_stored_before_the_page_loses_changes(server: Server, second: Server) -> None:
    kept, everything = _run(server, second, chaos_seed(), lose_pages=True)
    assert set(kept) < set(everything)
