"""A data folder on a disk that can be filled and freed, and one that can be made read-only.

As root (CI here), a real small tmpfs is mounted: a full disk is ENOSPC from the kernel and a
read-only folder is a read-only mount (root ignores file modes). Otherwise the disk is the
test's own folder, filled with SQLite's `max_page_count` (SQLITE_FULL, what a full disk gives
SQLite) and made read-only with file modes (which bind an ordinary user).
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
from pathlib import Path
from typing import Any

from sqlalchemy import event

from forms.store import Store

CHUNK = 4096


def can_mount() -> bool:
    return os.geteuid() == 0


class TightDisk:
    def __init__(self, root: Path, size: str = "4m") -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.mounted = can_mount()
        if self.mounted:
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(root)], check=True)
        self.ballast = root / "ballast.bin"
        self._pages: dict[int, int] = {}

    @property
    def how(self) -> str:
        return "tmpfs (ENOSPC)" if self.mounted else "max_page_count (SQLITE_FULL)"

    def fill(self, store: Store) -> None:
        """No room left for one more page of the store."""
        with store.engine.connect() as c:
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # the journal reuses no old space
            pages = int(c.exec_driver_sql("PRAGMA page_count").scalar() or 0)
        if self.mounted:
            fd = os.open(self.ballast, os.O_CREAT | os.O_WRONLY, 0o600)
            try:
                while True:
                    os.write(fd, b"\0" * CHUNK)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
            finally:
                os.close(fd)
            return
        self._limit(store, pages)

    def free(self, store: Store) -> None:
        if self.mounted:
            self.ballast.unlink()
            return
        self._limit(store, 1_073_741_823)

    def _limit(self, store: Store, pages: int) -> None:
        def on_connect(connection: Any, _record: Any) -> None:
            connection.execute(f"PRAGMA max_page_count = {pages}")

        event.listen(store.engine, "connect", on_connect)
        store.engine.dispose()  # pooled connections reconnect with the limit

    def read_only(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.root)], check=True)
        else:
            for path in [self.root, *self.root.rglob("*")]:
                path.chmod(0o500 if path.is_dir() else 0o400)

    def close(self) -> None:
        if self.mounted:
            with contextlib.suppress(subprocess.CalledProcessError):
                subprocess.run(["umount", "-l", str(self.root)], check=True)
        else:
            for path in [self.root, *self.root.rglob("*")]:
                path.chmod(0o700 if path.is_dir() else 0o600)
