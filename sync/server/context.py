"""What every service needs: settings, database, form definitions and the password hasher."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from argon2 import PasswordHasher

from forms.registry import FormRegistry
from sync.server import identity
from sync.server.db import Database
from sync.server.settings import Settings


def server_hasher() -> PasswordHasher:
    """Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 40 ms a login on
    a 2-core machine, where argon2-cffi's default (64 MiB, 3 passes, 4 lanes) takes about 360 ms."""
    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@dataclass
class ServerContext:
    settings: Settings
    db: Database
    registry: FormRegistry
    hasher: PasswordHasher
    # form id -> (opens, closes, valid until on time.monotonic()), see campaigns.cached_window
    windows: dict[str, tuple[dt.date, dt.date, float]] = field(default_factory=dict)
    server_id: uuid.UUID = field(default_factory=uuid.uuid4)  # replaced by the database's at open

    @classmethod
    def open(cls, settings: Settings, *, hasher: PasswordHasher | None = None) -> ServerContext:
        """Connect, create the schema if needed, and load the definitions."""
        db = Database(settings.database_url, pool_size=settings.pool_size, max_overflow=settings.max_overflow)
        db.create_schema()
        return cls(
            settings,
            db,
            FormRegistry.load(*settings.forms_dirs),
            hasher or server_hasher(),
            server_id=identity.server_id(db),
        )

    def now(self) -> dt.datetime:
        return self.settings.now()

    def close(self) -> None:
        self.db.dispose()
