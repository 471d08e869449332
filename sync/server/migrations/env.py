"""Alembic's environment for the server's schema (run by sync.server.schema, never by an alembic.ini)."""

from __future__ import annotations

from alembic import context

from sync.server import models  # noqa: F401 - every table registers on the metadata
from sync.server.models import ServerModel

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=ServerModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
