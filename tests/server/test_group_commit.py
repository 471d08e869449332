"""SQLite group commit (Database.write): writers queued behind a transaction commit together, each in
its savepoint, and each learns its own outcome only after the commit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from sync.server.db import Database, table
from sync.server.models import LoginLock

LOCKS = table(LoginLock)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    database.create_schema()
    yield database
    database.dispose()


class Refused(Exception):
    pass


def _insert(key: str, *, refuse: bool = False) -> object:
    def work(session: Session) -> str:
        session.connection().execute(insert(LOCKS), {"key": key})
        if refuse:
            raise Refused(key)  # after its write: the savepoint must take the row back
        return key

    return work


def _queued_behind_a_held_transaction(db: Database, works: list[object]) -> tuple[list[object], int]:
    """Hold the write lock in a first transaction until every other writer has queued, then let go;
    returns each writer's outcome (its result or exception) and the number of commits."""
    commits: list[int] = []
    event.listen(db.write_engine, "commit", lambda _c: commits.append(1))
    holding, release = threading.Event(), threading.Event()

    def first(session: Session) -> str:
        session.connection().execute(insert(LOCKS), {"key": f"first-{len(works)}"})
        holding.set()
        release.wait(timeout=30)
        return "first"

    outcomes: list[object] = [None] * len(works)

    def writer(n: int) -> None:
        try:
            outcomes[n] = db.write(works[n])  # type: ignore[arg-type]
        except Exception as exc:
            outcomes[n] = exc

    leader = threading.Thread(target=db.write, args=(first,))
    leader.start()
    assert holding.wait(timeout=30)
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(len(works))]
    for t in threads:
        t.start()
    while len(db._pending) < len(works):  # what the database records, not a timer
        threading.Event().wait(0.001)
    release.set()
    leader.join()
    for t in threads:
        t.join()
    return outcomes, len(commits)


def _keys(db: Database) -> set[str]:
    with db.read() as session:
        return set(session.execute(select(LOCKS.c.key)).scalars())


def test_queued_writers_commit_together_and_a_refusal_takes_back_only_its_own(db: Database) -> None:
    works = [_insert(f"k{n}", refuse=n == 3) for n in range(8)]
    outcomes, commits = _queued_behind_a_held_transaction(db, works)
    assert commits == 2  # the held transaction, then the eight queued writers in one commit
    assert [o if isinstance(o, str) else type(o).__name__ for o in outcomes] == [
        "k0", "k1", "k2", "Refused", "k4", "k5", "k6", "k7",
    ]  # fmt: skip
    assert _keys(db) == {f"k{n}" for n in range(8)} - {"k3"} | {"first-8"}


def test_a_database_error_in_the_group_runs_each_writer_alone(db: Database) -> None:
    """A duplicate key fails the group's transaction: every writer then runs in its own transaction and
    gets its own outcome; the others are kept."""
    db.write(_insert("taken"))  # type: ignore[arg-type]
    works = [_insert("a"), _insert("taken"), _insert("b")]
    outcomes, commits = _queued_behind_a_held_transaction(db, works)
    assert (outcomes[0], outcomes[2]) == ("a", "b")
    assert isinstance(outcomes[1], IntegrityError)
    assert commits == 3  # the held one, then "a" and "b" alone (the duplicate's transactions roll back)
    assert _keys(db) == {"taken", "a", "b", "first-3"}


def test_control_without_queueing_each_writer_commits_alone(db: Database) -> None:
    commits: list[int] = []
    event.listen(db.write_engine, "commit", lambda _c: commits.append(1))
    for n in range(4):
        db.write(_insert(f"s{n}"))  # type: ignore[arg-type]
    assert len(commits) == 4
    assert _keys(db) == {"s0", "s1", "s2", "s3"}
