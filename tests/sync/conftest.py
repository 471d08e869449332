"""Fixtures of the sync suite: the real reference server (uvicorn on 127.0.0.1, a temporary SQLite
file), a partner and a reviewer of Caf 73, and the partner's desktop store logged in to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from forms.store import Store
from sync import account
from tests.server.conftest import PASSWORD, Client
from tests.sync.support import LiveServer


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "server.sqlite3").start()
    yield server
    server.close()


@pytest.fixture
def partner(live_server: LiveServer) -> Client:
    """The association's account (its own HTTP session, for direct calls)."""
    return live_server.api.partner()


@pytest.fixture
def reviewer(live_server: LiveServer) -> Client:
    """An agent of the same Caf, logged in over HTTP: the review API with the reviewer's token."""
    return live_server.api.reviewer()


@pytest.fixture
def client_store(store: Store, live_server: LiveServer, partner: Client) -> Store:
    """The partner's desktop store, logged in (token in the in-memory keyring)."""
    account.login(store, live_server.url, partner.email, PASSWORD)
    return store
