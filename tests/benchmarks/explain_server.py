"""The query plans of the server's hot path, on SQLite or PostgreSQL: each must be an index lookup
whose cost does not depend on the size of the database (no scan of a growing table, no sort).

    .venv/bin/python -m tests.benchmarks.explain_server [--database-url URL] [--preseed 40000]

Without --database-url: a fresh SQLite file. The database gets `--preseed` transmissions first
(bench_server's bulk writer) and the login attempts of a busy day, so that the planner sees sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import uuid
from typing import Any

from sqlalchemy import create_engine, delete, event, insert, select, text
from sqlalchemy.engine import make_url

from sync.server import accounts, feed, structure, versions
from sync.server.db import table
from sync.server.models import Account, ApiToken, FeedChange, LoginFailure, Notice, Version
from tests.benchmarks.bench_server import database, prepare, preseed


def statements() -> list[tuple[str, Any, dict[str, Any]]]:
    now = dt.datetime.now(dt.UTC)
    some = uuid.uuid4()
    changes, failures, notices, tokens, version = (
        table(FeedChange), table(LoginFailure), table(Notice), table(ApiToken), table(Version),
    )  # fmt: skip
    window = now - dt.timedelta(minutes=15)
    failed = failures.c.succeeded.is_(False)
    return [
        ("jeton (chaque requête)", accounts._FIND_TOKEN, {"b_digest": "x" * 64}),
        ("questionnaire verrouillé", versions._LOCK_ROW, {"b_id": some}),
        ("identifiant réclamé", versions._FIND_CLAIM, {"b_id": some}),
        ("enregistrement d'idempotence", versions._FIND_RECORD, {"b_key": some}),
        ("fiche Structure validée", structure._VALIDATED_ANSWERS, {"b_org": 7, "b_form": "f"}),
        ("version courante", select(version.c.answers_json).where(version.c.id == some), {}),
        (
            "notices ouvertes",
            select(notices.c.id).where(notices.c.questionnaire_id == some, notices.c.status == "open"),
            {},
        ),
        (
            "flux : une page",
            select(changes)
            .where(changes.c.organisation_id == 7, changes.c.seq > 10, changes.c.type.not_in(["structure.locked"]))
            .order_by(changes.c.seq)
            .limit(101),
            {},
        ),
        ("compteur du flux", feed._BUMP_COUNTER, {"b_org": 7, "b_count": 1}),
        (
            "connexion : échecs par e-mail et adresse",
            select(failures.c.at)
            .where(failures.c.at > window, failures.c.email == "a@b.fr", failures.c.client == "10.0.0.1", failed)
            .order_by(failures.c.at),
            {},
        ),
        (
            "connexion : échecs par adresse",
            select(failures.c.at)
            .where(failures.c.at > window, failures.c.client == "10.0.0.1", failed)
            .order_by(failures.c.at),
            {},
        ),
        (
            "connexion : échecs par e-mail",
            select(failures.c.at)
            .where(failures.c.at > window, failures.c.email == "a@b.fr", failed)
            .order_by(failures.c.at),
            {},
        ),
        ("connexion : purge", delete(failures).where(failures.c.at < now - dt.timedelta(days=1)), {}),
        ("connexion : jetons expirés", delete(tokens).where(tokens.c.account_id == 7, tokens.c.expires_at <= now), {}),
    ]


def login_attempts(url: str, count: int) -> None:
    """A busy day's login rows: `count` attempts from 50 addresses (the table the throttling reads), and
    the tokens they left."""
    engine = create_engine(url)
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "email": f"partenaire-{n % 1000:05d}@exemple.fr",
            "client": f"10.0.0.{n % 50}",
            "at": now - dt.timedelta(seconds=n * 86400 / count),
            "succeeded": n % 10 != 0,
        }
        for n in range(count)
    ]
    with engine.begin() as conn:
        conn.execute(insert(table(LoginFailure)), rows)
        owners = conn.execute(select(table(Account).c.id)).scalars().all()
        conn.execute(
            insert(table(ApiToken)),
            [
                {"token_hash": f"{n:064x}", "account_id": owners[n % len(owners)], "created_at": now,
                 "expires_at": now + dt.timedelta(days=30)}
                for n in range(count // 2)
            ],
        )  # fmt: skip
        if make_url(url).get_backend_name() == "postgresql":
            conn.execute(text("ANALYZE"))
    engine.dispose()


def explain(url: str) -> None:
    """Each statement run through SQLAlchemy (its own parameter processing) with EXPLAIN in front."""
    engine = create_engine(url)
    sqlite = make_url(url).get_backend_name() == "sqlite"
    plans: list[str] = []

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _explain(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> Any:
        if statement.startswith("SET "):
            return statement, parameters
        return ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN (COSTS OFF) ") + statement, parameters

    @event.listens_for(engine, "after_cursor_execute")
    def _read(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SET "):
            return
        plans[:] = [str(row[-1]) if sqlite else str(row[0]).strip() for row in cursor.fetchall()]

    with engine.connect() as conn:
        if not sqlite:  # api_token, notice, structure_validation are nearly empty here: show the index path
            conn.exec_driver_sql("SET enable_seqscan = off")
        for label, statement, params in statements():
            try:
                conn.execute(statement, params)
            except Exception:  # the plan rows confuse a RETURNING result: the plan is read already
                pass
            print(f"{label:<42} {' | '.join(plans)}")
        conn.rollback()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--preseed", type=int, default=40000)
    parser.add_argument("--logins", type=int, default=40000, help="tentatives de connexion du jour")
    args = parser.parse_args()
    with database(args.database_url) as url:
        prepare(url, 10)
        preseed(url, args.preseed)
        login_attempts(url, args.logins)
        print(f"Base : {make_url(url).get_backend_name()}, {args.preseed} transmissions, {args.logins} connexions")
        explain(url)


if __name__ == "__main__":
    main()
