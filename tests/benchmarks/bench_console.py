"""The Caf console with 4,000 questionnaires in one Caf: server time of the list and the dashboard.

A real uvicorn on 127.0.0.1 serves the app; an ASGI wrapper records each request's server time (from
the first byte in to the last byte out). The figures are p95s as a ratio to `/api/v1/meta` measured in
the same run, and in milliseconds. Target: p95 < 150 ms for the list and the dashboard.

    .venv/bin/python -m tests.benchmarks.bench_console [--count 4000] [--samples 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import requests
from argon2 import PasswordHasher

from forms.transmission import VersionBody
from sync.server import accounts, campaigns, review, versions
from sync.server.app import create_app
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.benchmarks.report import summary_ms, table
from tests.forms.sample_answers import FORM_ID, FORM_VERSION, complete_answers
from tests.support.live_server import ThreadedUvicorn

PASSWORD = "mot-de-passe-du-banc"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
COMMUNES = ["Chambéry", "Aix-les-Bains", "Albertville", "Montmélian", "La Motte-Servolex", "Ugine", "Modane"]
Scope = MutableMapping[str, Any]


class ServerTimer:
    """ASGI wrapper: server time of each request, by path."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.times: dict[str, list[float]] = {}

    async def __call__(
        self, scope: Scope, receive: Callable[[], Awaitable[Any]], send: Callable[[Any], Awaitable[None]]
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        await self.app(scope, receive, send)
        query = scope.get("query_string", b"").decode()
        key = scope["path"] + (f"?{query}" if query else "")
        self.times.setdefault(key, []).append(time.perf_counter() - start)


def seed(ctx: ServerContext, count: int) -> str:
    """`count` questionnaires of Caf 73 from count/10 partners, some returned, validated, with notices."""
    reviewer = accounts.create_account(
        ctx, role=accounts.REVIEWER, email="agent@caf73.exemple.fr", password=PASSWORD, caf="73"
    )
    partners = []
    for i in range(max(1, count // 10)):
        partners.append(
            accounts.create_account(
                ctx,
                role=accounts.PARTNER,
                email=f"p{i}@exemple.fr",
                password=PASSWORD,
                caf="73",
                name=f"Association n° {i:04d}",
            )
        )
    for i in range(count):
        answers = complete_answers()
        answers["commune"] = COMMUNES[i % len(COMMUNES)]
        answers["lieu_action"] = f"Maison de quartier {i:04d}"
        qid = uuid.uuid4()
        body = VersionBody.build(base_version_id=None, form_id=FORM_ID, form_version=FORM_VERSION, answers=answers)
        versions.submit_version(ctx, partners[i % len(partners)], qid, uuid.uuid4(), body)
        if i % 8 == 1:
            review.return_for_correction(ctx, reviewer, qid)
        elif i % 8 == 2:
            if not review.structure_validated(ctx, None, qid):  # one fiche Structure per organisation
                review.validate_structure(ctx, reviewer, qid)
            review.validate(ctx, reviewer, qid)
        if i % 5 == 0 and i % 8 != 2:
            from sync import protocol as p

            review.add_notice(ctx, reviewer, qid, p.NoticeCreate(question_id="nb_familles", message="À vérifier."))
    return reviewer.email


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=4000)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-console-"))
    ctx = ServerContext.open(Settings(database_url=f"sqlite:///{folder / 'server.sqlite3'}"), hasher=CHEAP_HASHER)
    # A realistic window around today: opened three weeks ago, closes in a fortnight.
    today = campaigns.local_today(ctx.now())
    campaigns.set_window(ctx, FORM_ID, opens=today - dt.timedelta(days=21), closes=today + dt.timedelta(days=14))
    started = time.perf_counter()
    email = seed(ctx, args.count)
    print(f"{args.count} questionnaires créés en {time.perf_counter() - started:.1f} s")
    timer = ServerTimer(create_app(ctx=ctx))
    live = ThreadedUvicorn(timer).start()
    try:
        session = requests.Session()
        page = session.get(f"{live.url}/caf/connexion", timeout=30)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        signed = session.post(
            f"{live.url}/caf/connexion",
            data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
            allow_redirects=False,
            timeout=30,
        )
        assert signed.status_code == 303, signed.text
        targets = {
            "meta (référence)": "/api/v1/meta",
            "tableau de bord": "/caf/tableau-de-bord",
            "liste, page 1": "/caf/questionnaires",
            "liste, tri par organisation, page 40": "/caf/questionnaires?tri=organisation&ordre=asc&page=40",
            "liste, recherche « montmelian »": "/caf/questionnaires?q=montmelian",
            "liste, filtre À corriger": "/caf/questionnaires?etat=a_corriger",
        }
        for path in targets.values():  # warm-up: caches filled, code paths compiled
            assert session.get(live.url + path, timeout=60).status_code == 200
        timer.times.clear()
        for _ in range(args.samples):
            for path in targets.values():
                response = session.get(live.url + path, timeout=60)
                assert response.status_code == 200
        by_label = {label: summary_ms(timer.times[path]) for label, path in targets.items()}
        base = by_label["meta (référence)"]["p95"]
        rows = [
            [
                label,
                s["p50"],
                s["p95"],
                s["p99"],
                s["p95"] / base,
                "oui" if s["p95"] < 150 or label.startswith("meta") else "NON",
            ]
            for label, s in by_label.items()
        ]
        print(table(rows, ["requête", "p50 ms", "p95 ms", "p99 ms", "p95 / meta", "p95 < 150 ms"]))
    finally:
        live.stop()
        ctx.close()


if __name__ == "__main__":
    main()
