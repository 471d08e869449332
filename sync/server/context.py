"""What every service needs: settings, database, form definitions and the password hasher."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from argon2 import PasswordHasher

from forms.definition import DefinitionError
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
    # (form id, Caf code or "") -> (opens, closes, expiry): the window in force, cached briefly.
    windows: dict[tuple[str, str], tuple[dt.date, dt.date, float]] = field(default_factory=dict)
    forms_stamp: tuple[tuple[str, int], ...] = ()  # the definition files last loaded (campaign publish)

    def forms_files(self) -> tuple[tuple[str, int], ...]:
        return tuple(
            (str(path), path.stat().st_mtime_ns)
            for folder in self.settings.forms_dirs
            for path in sorted(folder.glob("*.json"))
        )

    def refresh_forms(self) -> None:
        """Reload the definitions when `campaign publish` added one; a bad folder keeps the ones in use."""
        stamp = self.forms_files()
        if stamp == self.forms_stamp:
            return
        try:
            self.registry = FormRegistry.load(*self.settings.forms_dirs)
        except DefinitionError:
            return  # publish validates first; a file dropped by hand waits for a restart to be refused
        self.forms_stamp = stamp

    server_id: uuid.UUID = field(default_factory=uuid.uuid4)  # replaced by the database's at open

    @classmethod
    def open(cls, settings: Settings, *, hasher: PasswordHasher | None = None) -> ServerContext:
        """Connect, create the schema if needed, and load the definitions."""
        db = Database(settings.database_url, pool_size=settings.pool_size, max_overflow=settings.max_overflow)
        db.create_schema()
        ctx = cls(
            settings,
            db,
            FormRegistry.load(*settings.forms_dirs),
            hasher or server_hasher(),
            server_id=identity.server_id(db),
        )
        ctx.forms_stamp = ctx.forms_files()
        return ctx

    def now(self) -> dt.datetime:
        return self.settings.now()

    def close(self) -> None:
        self.db.dispose()
