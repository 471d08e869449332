"""The server's schema through Alembic: the models and the migrations agree, every database upgrades from the
first revision, and the server refuses to start on a database that is behind (saying which command to run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from sync.server import schema
from sync.server.db import Database
from sync.server.models import ServerModel

ROOT = Path(__file__).resolve().parents[2]


def _at_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        command.upgrade(schema._config(connection), revision)
    engine.dispose()


def test_the_migrations_build_exactly_the_models(database_url: str) -> None:
    """Upgraded from nothing, revision by revision, the database is what the models describe."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            ServerModel.metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            command.upgrade(schema._config(connection), "head")
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), ServerModel.metadata)
            assert differences == []
            assert MigrationContext.configure(connection).get_current_revision() == schema.head()
    finally:
        with engine.begin() as connection:
            ServerModel.metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()


def test_a_new_database_is_created_at_the_head(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/new.sqlite3")
    try:
        db.create_schema()
        with db.write_engine.connect() as connection:
            assert schema.revision_of(connection) == schema.head()
            assert set(ServerModel.metadata.tables) <= set(inspect(connection).get_table_names())
    finally:
        db.dispose()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "sync.server.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_serve_refuses_a_database_behind_and_migrate_upgrades_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.sqlite3"
    _at_revision(url, schema.FIRST_REVISION)
    behind = schema.head() != schema.FIRST_REVISION
    listed = _cli("campaign", "list", "--database-url", url)
    if behind:
        assert listed.returncode == 1
        assert "bilan-clas-server migrate" in listed.stderr
        assert "Traceback" not in listed.stderr
    migrated = _cli("migrate", "--database-url", url)
    assert migrated.returncode == 0, migrated.stderr
    assert f"→ {schema.head()}" in migrated.stdout or "déjà à jour" in migrated.stdout
    assert _cli("campaign", "list", "--database-url", url).returncode == 0
    again = _cli("migrate", "--database-url", url)
    assert "déjà à jour" in again.stdout


def test_a_database_made_before_the_migrations_is_taken_as_the_first_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/legacy.sqlite3"
    _at_revision(url, schema.FIRST_REVISION)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")  # as the 0.1.0 server left it
        assert schema.revision_of(connection) == schema.FIRST_REVISION
    engine.dispose()
    migrated = _cli("migrate", "--database-url", url)
    assert migrated.returncode == 0, migrated.stderr
    engine = create_engine(url)
    with engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == schema.head()
        assert compare_metadata(MigrationContext.configure(connection), ServerModel.metadata) == []
    engine.dispose()
