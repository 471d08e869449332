"""Login throttling against a real uvicorn: atomic under a concurrent burst, and no lock-out by strangers.

Client addresses are real: each simulated computer connects from its own loopback address
(127.0.0.N), which the server sees as request.client.host.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from requests.adapters import HTTPAdapter

from sync import protocol as p
from sync.server import accounts
from tests.server.conftest import PASSWORD, TIMEOUT, Clock, Server, problem

_next_address = iter(range(10, 250))


class _SourceAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def computer(address: str | None = None) -> requests.Session:
    """A session whose connections come from its own loopback address."""
    session = requests.Session()
    session.mount("http://", _SourceAddress(address or f"127.0.{next(_next_address)}.1"))
    return session


def attempt(server: Server, session: requests.Session, email: str, password: str) -> requests.Response:
    return session.post(
        f"{server.url}{p.API_PREFIX}/auth/token", json={"email": email, "password": password}, timeout=TIMEOUT
    )


def new_partner(server: Server) -> str:
    email = f"cible-{uuid.uuid4().hex[:10]}@exemple.fr"
    accounts.create_account(server.ctx, role=accounts.PARTNER, email=email, password=PASSWORD, caf="73")
    return email


def test_a_concurrent_burst_checks_at_most_the_limit(server: Server, clock: Clock) -> None:
    email = new_partner(server)
    limit = server.ctx.settings.login_max_failures
    burst = 50
    sessions = [computer("127.0.9.1") for _ in range(burst)]
    start = threading.Barrier(burst)

    def guess(index: int) -> int:
        start.wait()
        return attempt(server, sessions[index], email, f"mauvais-{index}").status_code

    with ThreadPoolExecutor(burst) as pool:
        statuses = list(pool.map(guess, range(burst)))
    checked = statuses.count(401)
    assert statuses.count(429) + checked == burst, statuses
    assert checked == limit, f"{checked} mots de passe vérifiés pour une limite de {limit}"
    # The right password from the same computer is refused too while the window lasts.
    problem(attempt(server, sessions[0], email, PASSWORD), 429, p.RATE_LIMITED)
    clock.advance(server.ctx.settings.login_window)


def test_a_concurrent_burst_with_the_right_password_among_them(server: Server, clock: Clock) -> None:
    email = new_partner(server)
    limit = server.ctx.settings.login_max_failures
    burst = 50
    sessions = [computer("127.0.9.2") for _ in range(burst)]
    start = threading.Barrier(burst)
    right = 37

    def guess(index: int) -> int:
        start.wait()
        return attempt(server, sessions[index], email, PASSWORD if index == right else f"faux-{index}").status_code

    with ThreadPoolExecutor(burst) as pool:
        statuses = list(pool.map(guess, range(burst)))
    # At most `limit` wrong passwords checked; the right one may take a slot (it erases none).
    assert statuses.count(401) <= limit, statuses
    assert statuses.count(200) <= 1, statuses
    assert statuses.count(401) + statuses.count(200) >= limit - 1, statuses
    clock.advance(server.ctx.settings.login_window)


def test_a_success_does_not_erase_the_failures_before_it(server: Server, clock: Clock) -> None:
    email = new_partner(server)
    limit = server.ctx.settings.login_max_failures
    session = computer()
    for _ in range(limit - 1):
        problem(attempt(server, session, email, "faux"), 401, p.UNAUTHORIZED)
    assert attempt(server, session, email, PASSWORD).status_code == 200
    problem(attempt(server, session, email, "faux"), 401, p.UNAUTHORIZED)
    # `limit` failures in the window: the success in between did not wipe them.
    problem(attempt(server, session, email, PASSWORD), 429, p.RATE_LIMITED)
    clock.advance(server.ctx.settings.login_window)


def test_strangers_cannot_lock_out_a_known_client(server: Server, clock: Clock) -> None:
    email = new_partner(server)
    settings = server.ctx.settings
    office = computer()
    assert attempt(server, office, email, PASSWORD).status_code == 200  # the usual computer, known now
    # Strangers from many addresses: each is stopped after the per-(e-mail, address) limit, and all
    # together once the e-mail's free failures are spent (then each try waits twice as long).
    checked = 0
    for attacker in [computer() for _ in range(6)]:
        statuses = [
            attempt(server, attacker, email, "devine").status_code for _ in range(settings.login_max_failures + 3)
        ]
        assert set(statuses) <= {401, 429}, statuses
        assert statuses.count(401) <= settings.login_max_failures, statuses
        checked += statuses.count(401)
    assert checked == settings.login_email_free_failures
    # An unknown computer now waits too (progressive delay)...
    newcomer = computer()
    slowed = problem(attempt(server, newcomer, email, PASSWORD), 429, p.RATE_LIMITED)
    assert slowed.retry_after is not None
    assert slowed.retry_after <= 15 * 60
    # ...but the computer the partner logged in from before gets in with the right password at once.
    assert attempt(server, office, email, PASSWORD).status_code == 200
    # Once the delay has passed, the newcomer gets in too (no hard lock on the e-mail).
    clock.advance(dt.timedelta(seconds=slowed.retry_after + 1))
    assert attempt(server, newcomer, email, PASSWORD).status_code == 200
    clock.advance(settings.login_window)


def test_a_few_strangers_failures_do_not_slow_a_new_computer(server: Server, clock: Clock) -> None:
    email = new_partner(server)
    stranger = computer()
    for _ in range(server.ctx.settings.login_max_failures + 2):
        attempt(server, stranger, email, "devine")
    # Before the fix, 5 failures from anywhere made the right password fail everywhere for 15 minutes.
    assert attempt(server, computer(), email, PASSWORD).status_code == 200
    clock.advance(server.ctx.settings.login_window)


def test_one_address_spraying_many_emails_is_stopped(server: Server, clock: Clock) -> None:
    settings = server.ctx.settings
    sprayer = computer()
    for _ in range(settings.login_client_max_failures):
        problem(attempt(server, sprayer, f"x-{uuid.uuid4().hex[:8]}@exemple.fr", "123456"), 401, p.UNAUTHORIZED)
    problem(attempt(server, sprayer, new_partner(server), "123456"), 429, p.RATE_LIMITED)
    clock.advance(settings.login_window)


def test_old_failures_are_purged(server: Server, clock: Clock) -> None:
    from sqlmodel import select

    from sync.server.models import LoginFailure

    email = new_partner(server)
    attempt(server, computer(), email, "faux")
    clock.advance(server.ctx.settings.login_failure_retention + dt.timedelta(minutes=1))
    attempt(server, computer(), email, "faux")
    with server.ctx.db.read() as session:
        rows = session.exec(select(LoginFailure).where(LoginFailure.email == email)).all()
    assert len(rows) == 1


@pytest.mark.parametrize("role", [accounts.PARTNER, accounts.REVIEWER])
def test_verify_credentials_is_the_one_check(server: Server, role: str) -> None:
    """The Caf console signs reviewers in through the same function (and the same throttling)."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@exemple.fr"
    accounts.create_account(server.ctx, role=role, email=email, password=PASSWORD, caf="73")
    assert accounts.verify_credentials(server.ctx, email, PASSWORD, "10.0.0.1").email == email
    with pytest.raises(accounts.ApiProblem) as wrong:
        accounts.verify_credentials(server.ctx, email, "faux")
    assert wrong.value.status == 401


def test_an_office_of_many_partners_behind_one_address_is_never_throttled(server: Server) -> None:
    """Successes are not failures: a federation's office (one public address, many volunteers) logs in
    more often than the per-address limit counts failures, and every right password gets its token."""
    office = computer()
    logins = server.ctx.settings.login_client_max_failures + 5
    emails = [new_partner(server) for _ in range(3)]
    for number in range(logins):
        response = attempt(server, office, emails[number % len(emails)], PASSWORD)
        assert response.status_code == 200, (number, response.text)
