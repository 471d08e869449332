"""Where the app keeps its data: `--data-dir`, else BILAN_CLAS_HOME, else the platform's user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "bilan-clas"
ENV_HOME = "BILAN_CLAS_HOME"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder, created private to its owner (0700) if missing."""
    chosen = override or os.environ.get(ENV_HOME) or platformdirs.user_data_dir(APP_NAME, appauthor=False)
    path = Path(chosen).expanduser()
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path
