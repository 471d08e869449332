"""Start-up in steps, so that the list shows its rows within a moment of the window and the window
stays responsive while the rest loads.

1. The turn after the first paint: the rows, from the summaries through sqlite3 alone
   (forms.listing: no sqlalchemy, no definitions), when every summary is there.
2. Once they are painted, on a worker thread: the modules of the store, the engine, the sync and
   the PDF code are imported, and the definitions read. Nothing there touches a widget or the store.
3. Back on the GUI thread: the store is opened, the list read again with its campaign windows,
   then the services start and the last questionnaire reopens.

When step 1 cannot be taken (first start, a schema to upgrade, a summary to rebuild), the store is
opened at once, as before, with « Chargement… » meanwhile.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.home import Row, listed
from forms.listing import DB_FILE, fresh_summaries

if TYPE_CHECKING:
    from forms.registry import FormRegistry  # pydantic: loaded on the worker thread, not before the rows

PRELOADED = (
    "desktop.session",  # the store, sqlalchemy, the engine, the campaigns
    "desktop.questionnaire_view",
    "desktop.pdf_actions",
    "desktop.sync_controller",
    "desktop.sync_status",
)


def quick_rows(data_dir: Path) -> list[Row] | None:
    """The list's rows straight from the summaries (without the campaigns' windows), or None when the
    store must be opened first."""
    found = fresh_summaries(data_dir / DB_FILE)
    return None if found is None else listed(found)


def preload(data_dir: Path) -> FormRegistry:
    """On a worker thread: import what the next steps need, and read the definitions."""
    for name in PRELOADED:
        importlib.import_module(name)
    from desktop.session import load_registry

    return load_registry(data_dir)
