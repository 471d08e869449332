"""A real server per test module (uvicorn on 127.0.0.1), on SQLite and, when configured, PostgreSQL.

PostgreSQL: set BILAN_CLAS_TEST_POSTGRES_URL to a server where we may CREATE DATABASE (e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/postgres); each module gets a fresh database. Without
it the postgresql params are skipped locally and FAIL under CI=true.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pytest
import requests
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from sync import protocol as p
from sync.server import accounts, campaigns
from sync.server.app import create_app
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.forms.sample_answers import FORM_ID, FORM_VERSION, complete_answers
from tests.support.live_server import ThreadedUvicorn

POSTGRES_ENV = "BILAN_CLAS_TEST_POSTGRES_URL"
PASSWORD = "mot-de-passe-de-test"
TIMEOUT = (5, 30)
# Cheap argon2 parameters: tests create many accounts; the hashing code path stays the real one.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class Clock:
    """Real time plus an offset the tests move forward (never a sleep)."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, delta: dt.timedelta) -> None:
        self.offset += delta


@contextmanager
def fresh_postgres_database(base_url: str, label: str) -> Iterator[str]:
    """CREATE DATABASE on the server of `base_url`, yield its SQLAlchemy URL, DROP it afterwards."""
    base = make_url(base_url)
    name = f"bilan_test_{label}_{uuid.uuid4().hex[:8]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('server')}/server.sqlite3"
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{POSTGRES_ENV} is required under CI=true (the server suite runs on PostgreSQL too)")
        pytest.skip(f"{POSTGRES_ENV} not set")
    label = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")[:20]
    with fresh_postgres_database(base, label) as url:
        yield url


@dataclass
class Client:
    """A logged-in user of the live server: a requests.Session with its bearer token."""

    server: Server
    email: str
    role: str
    caf: str
    session: requests.Session = field(default_factory=requests.Session)
    token: str = ""

    def url(self, path: str) -> str:
        return f"{self.server.url}{p.API_PREFIX}{path}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", TIMEOUT)
        return self.session.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def put_version(
        self, qid: uuid.UUID, vid: uuid.UUID, body: p.VersionBody | dict[str, Any], **kwargs: Any
    ) -> requests.Response:
        data = body.model_dump(mode="json") if isinstance(body, p.VersionBody) else body
        prefix = "/review" if self.role == accounts.REVIEWER else ""
        return self.put(f"{prefix}/questionnaires/{qid}/versions/{vid}", json=data, **kwargs)

    def transmit(
        self, answers: dict[str, Any] | None = None, *, qid: uuid.UUID | None = None, base: uuid.UUID | None = None
    ) -> tuple[uuid.UUID, uuid.UUID]:
        """A version accepted with 201 (a new questionnaire unless `qid`); returns (qid, vid)."""
        qid = qid or uuid.uuid4()
        vid = uuid.uuid4()
        response = self.put_version(qid, vid, version_body(answers, base=base))
        assert response.status_code == 201, response.text
        return qid, vid

    def changes(self, since: str | None = None, limit: int | None = None) -> p.ChangesPage:
        params: dict[str, Any] = {}
        if since is not None:
            params["since"] = since
        if limit is not None:
            params["limit"] = limit
        response = self.get("/changes", params=params)
        assert response.status_code == 200, response.text
        return p.ChangesPage.model_validate_json(response.content)

    def all_changes(self, since: str | None = None, limit: int = 100) -> tuple[list[p.Change], str]:
        found: list[p.Change] = []
        while True:
            page = self.changes(since, limit)
            found.extend(page.changes)
            since = page.next_cursor
            if not page.has_more:
                return found, since


@dataclass
class Server:
    url: str
    ctx: ServerContext
    clock: Clock

    def _account(self, role: str, caf: str, name: str | None) -> Client:
        email = f"{role}-{uuid.uuid4().hex[:10]}@exemple.fr"
        accounts.create_account(self.ctx, role=role, email=email, password=PASSWORD, caf=caf, name=name)
        client = Client(self, email, role, caf)
        response = client.post("/auth/token", json={"email": email, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.token = p.TokenResponse.model_validate_json(response.content).access_token
        client.session.headers["Authorization"] = f"Bearer {client.token}"
        return client

    def partner(self, caf: str = "73", name: str | None = None) -> Client:
        return self._account(accounts.PARTNER, caf, name or "Association « Réussir Ensemble »")

    def reviewer(self, caf: str = "73") -> Client:
        return self._account(accounts.REVIEWER, caf, None)

    def anonymous(self) -> Client:
        return Client(self, "", "", "")


def version_body(
    answers: dict[str, Any] | None = None,
    *,
    base: uuid.UUID | None = None,
    attachments: list[p.AttachmentRef] | None = None,
    form_id: str = FORM_ID,
    form_version: int = FORM_VERSION,
) -> p.VersionBody:
    return p.VersionBody.build(
        base_version_id=base,
        form_id=form_id,
        form_version=form_version,
        answers=complete_answers() if answers is None else answers,
        attachments=attachments,
    )


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[Server]:
    clock = Clock()
    ctx = ServerContext.open(Settings(database_url=database_url, clock=clock), hasher=FAST_HASHER)
    # Today is after the 2024-2025 campaign closed: extend it, as a Caf would for a late demo.
    campaigns.set_window(ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2030, 12, 31))
    live = ThreadedUvicorn(create_app(ctx=ctx)).start()
    try:
        yield Server(live.url, ctx, clock)
    finally:
        live.stop()
        ctx.close()


@pytest.fixture
def clock(server: Server) -> Iterator[Clock]:
    """The server's clock, put back where it was after the test."""
    saved = server.clock.offset
    yield server.clock
    server.clock.offset = saved


def problem(response: requests.Response, status: int, code: str) -> p.Problem:
    """Assert a problem+json answer with this status and code; return it parsed (strictly)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(p.PROBLEM_MEDIA_TYPE), response.headers
    parsed = p.Problem.model_validate_json(response.content)
    assert parsed.code == code, parsed
    assert parsed.status == status
    assert parsed.type == p.problem_type(code)
    assert parsed.title  # French, for the user
    return parsed
