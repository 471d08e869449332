"""The technical log a support person reads: `logs/bilan-clas.log` in the data folder, rotating.

Written by the app, the CLI and the sync client, in plain technical English. What goes in: what
was done, request ids, HTTP codes, durations, counts, error classes. What never goes in: a token,
a password, an answer or a notice's text (tests/forms/test_logs.py greps for them after a sync).
"""

from __future__ import annotations

import logging
import sys
from collections import deque
from pathlib import Path

__all__ = ["LOG_NAME", "configure", "getLogger", "log_path", "support_report", "tail"]

LOG_NAME = "bilan-clas.log"
_MAX_BYTES = 2 * 1024 * 1024
_BACKUPS = 3
_LIGHT_MARGIN = 64 * 1024  # what a light command may write without rotating
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(process)d] %(message)s"
_ROOT = "bilan_clas"


def log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_NAME


def configure(data_dir: Path, program: str, *, light: bool = False) -> logging.Logger:
    """Send the `bilan_clas` loggers to the data folder's rotating log (once per process); return the root one.

    A log that cannot be written (read-only or full disk) never stops the program: it logs nowhere.
    `light`: for a short command that logs a line or two (`list`, `check`…): a plain append while the
    log is below its size limit, and no version or platform in the first line. logging.handlers
    (socket, pickle), importlib.metadata and platform would cost such a command a third of its start.
    """
    root = logging.getLogger(_ROOT)
    root.setLevel(logging.INFO)
    path = log_path(data_dir)
    if any(isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path for h in root.handlers):
        return root
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600, exist_ok=True)  # inside the 0700 data folder, like the database
        handler: logging.Handler
        if light and path.stat().st_size < _MAX_BYTES - _LIGHT_MARGIN:
            handler = logging.FileHandler(path, encoding="utf-8")  # the next full configure rotates
        else:
            from logging.handlers import RotatingFileHandler

            handler = RotatingFileHandler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.propagate = False
    if light:
        root.info("%s started", program)
        return root
    import platform

    root.info("%s %s started (Python %s, %s)", program, _version(), platform.python_version(), platform.platform())
    return root


def tail(data_dir: Path, lines: int = 40) -> list[str]:
    try:
        with log_path(data_dir).open(encoding="utf-8", errors="replace") as log:
            return [line.rstrip("\n") for line in deque(log, maxlen=lines)]
    except OSError:
        return []


def support_report(data_dir: Path, last_sync: str | None, lines: int = 40) -> str:
    """What *Aide › Informations pour l'assistance* copies: version, platform, data folder, last sync, log tail."""
    import platform

    return "\n".join(
        [
            f"Bilan Clas {_version()}",
            f"Système : {platform.platform()} — Python {platform.python_version()} ({sys.executable})",
            f"Dossier des données : {data_dir}",
            f"Dernière synchronisation : {last_sync or 'jamais'}",
            f"Journal : {log_path(data_dir)}",
            f"--- {lines} dernières lignes du journal ---",
            *tail(data_dir, lines),
        ]
    )


def _version() -> str:
    from forms.version import APP_VERSION

    return APP_VERSION


def getLogger(name: str) -> logging.Logger:  # noqa: N802 - the logging module's own spelling
    """A logger under the app's root (`bilan_clas.sync`, `bilan_clas.app`…)."""
    return logging.getLogger(f"{_ROOT}.{name}")
