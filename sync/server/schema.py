"""The server's schema, through Alembic migrations (the same revisions for SQLite and PostgreSQL).

A new, empty database gets the current schema at once (created from the models and stamped at the
head revision: the test `tests/server/test_migrations.py` proves that it equals the migrations'
result). An existing database is never upgraded behind the operator's back: the server refuses to
start on one that is behind, and `bilan-clas-server migrate` upgrades it. A database made before the
migrations existed holds the first revision's schema.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from sync.server.models import ServerModel

__all__ = ["FIRST_REVISION", "SchemaOutdated", "ensure_current", "head", "revision_of", "upgrade"]

FIRST_REVISION = "0001"
_FOLDER = Path(__file__).with_name("migrations")


class SchemaOutdated(Exception):
    """The database is behind this version of the server; the message says which command upgrades it."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_FOLDER))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    found = ScriptDirectory.from_config(_config()).get_current_head()
    assert found is not None
    return found


def revision_of(connection: Connection) -> str | None:
    """The database's revision; FIRST_REVISION for a database made before migrations; None when empty."""
    current = MigrationContext.configure(connection).get_current_revision()
    if current is not None:
        return current
    tables = set(inspect(connection).get_table_names())
    return FIRST_REVISION if tables & set(ServerModel.metadata.tables) else None


def ensure_current(engine: Engine) -> None:
    """Create the schema of an empty database; raise SchemaOutdated if an existing one is behind."""
    with engine.begin() as connection:
        current = revision_of(connection)
        if current is None:
            ServerModel.metadata.create_all(connection)
            command.stamp(_config(connection), "head")
            return
    if current != head():
        raise SchemaOutdated(
            f"La base de données du serveur est à la révision {current}, cette version attend la révision "
            f"{head()} : sauvegardez-la, puis lancez « bilan-clas-server migrate » (avec la même --database-url)."
        )


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring any database to the head revision; returns (revision before, revision after)."""
    with engine.begin() as connection:
        before = revision_of(connection)
        if before is None:
            ServerModel.metadata.create_all(connection)
            command.stamp(_config(connection), "head")
        else:
            if MigrationContext.configure(connection).get_current_revision() is None:
                command.stamp(_config(connection), FIRST_REVISION)  # made before the migrations existed
            command.upgrade(_config(connection), "head")
    return before, head()
