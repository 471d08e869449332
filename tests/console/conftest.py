"""The Caf console against a real uvicorn on 127.0.0.1 and a real SQLite file: a `requests` agent that
signs in like a browser (cookies, CSRF tokens read from the pages)."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
import requests

from sync.server import campaigns
from sync.server.app import create_app
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.forms.sample_answers import FORM_ID
from tests.server.conftest import (
    FAST_HASHER,
    PASSWORD,
    POSTGRES_ENV,
    TIMEOUT,
    Client,
    Clock,
    Server,
    fresh_postgres_database,
)
from tests.support.live_server import ThreadedUvicorn

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Agent:
    """A Caf agent in the console, as a browser without JavaScript: cookies, forms, CSRF tokens."""

    base: str
    email: str = ""
    session: requests.Session = field(default_factory=requests.Session)
    csrf: str = ""

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        response = self.session.get(self.base + path, **kwargs)
        found = CSRF.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if found and "/connexion" not in path:
            self.csrf = found.group(1)
        return response

    def post(
        self,
        path: str,
        data: dict[str, Any] | list[tuple[str, str]] | None = None,
        *,
        csrf: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        kwargs.setdefault("allow_redirects", False)
        items = list(data.items()) if isinstance(data, dict) else list(data or [])
        token = self.csrf if csrf is None else csrf
        if token:
            items.append(("csrf_token", token))
        return self.session.post(self.base + path, data=items, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        page = self.get("/caf/connexion")
        token = CSRF.search(page.text)
        assert token is not None
        response = self.post("/caf/connexion", {"email": email, "password": password}, csrf=token.group(1))
        if response.status_code == 303:
            self.email = email
            self.get("/caf/tableau-de-bord")
        return response


@dataclass
class ConsoleServer(Server):
    def agent(self) -> Agent:
        return Agent(self.url)

    def signed_in(self, reviewer: Client) -> Agent:
        agent = self.agent()
        response = agent.sign_in(reviewer.email)
        assert response.status_code == 303, response.text
        return agent


def like_serve(live: ThreadedUvicorn, *, trust_proxy: bool = False) -> ThreadedUvicorn:
    """uvicorn configured as `bilan-clas-server serve` does: proxy headers only when told to trust them."""
    live.server.config.proxy_headers = trust_proxy
    return live


@contextmanager
def console_server(url: str) -> Iterator[ConsoleServer]:
    clock = Clock()
    ctx = ServerContext.open(Settings(database_url=url, clock=clock), hasher=FAST_HASHER)
    campaigns.set_window(ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2030, 12, 31))
    live = like_serve(ThreadedUvicorn(create_app(ctx=ctx))).start()
    try:
        yield ConsoleServer(live.url, ctx, clock)
    finally:
        live.stop()
        ctx.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """The console on SQLite and on PostgreSQL (as tests/server: skipped locally without
    BILAN_CLAS_TEST_POSTGRES_URL, a failure under CI=true)."""
    if request.param == "sqlite":
        with console_server(f"sqlite:///{tmp_path_factory.mktemp('console')}/server.sqlite3") as found:
            yield found
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is required under CI=true")
        pytest.skip(f"{POSTGRES_ENV} not set")
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:20]
    with fresh_postgres_database(base, f"console_{label}") as url, console_server(url) as found:
        yield found


@pytest.fixture(scope="module")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    """SQLite only: for the browser tests, which test the pages rather than the database."""
    with console_server(f"sqlite:///{tmp_path_factory.mktemp('console')}/server.sqlite3") as found:
        yield found


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class _FormReader(HTMLParser):
    """What a browser would submit for the form posting to `action`: inputs, checked boxes, selected options, text."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select is not None and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None


def form_fields(html: str, action: str) -> list[tuple[str, str]]:
    reader = _FormReader(action)
    reader.feed(html)
    return reader.fields
