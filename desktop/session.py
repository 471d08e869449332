"""The open data folder: definitions, store, and what the list shows. Loaded after the window appears."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.home import Row, listed
from forms.campaign import window_of
from forms.registry import FormRegistry
from forms.store import Store
from forms.store.summary import summaries


def load_registry(data_dir: Path) -> FormRegistry:
    """The definitions: shipped, and received from the server into DATA/forms."""
    return FormRegistry.load(data_dir / "forms", strict=False)


class Session:
    def __init__(self, data_dir: Path, registry: FormRegistry | None = None) -> None:
        self.data_dir = data_dir
        self.registry = registry or load_registry(data_dir)
        self.store = Store.open(data_dir, self.registry)

    def close(self) -> None:
        self.store.close()

    def rows(self) -> list[Row]:
        """Every questionnaire, newest campaign first, then most recently edited first (one query)."""
        today = dt.date.today()
        windows: dict[tuple[str, int], str] = {}

        def window(form_id: str, version: int) -> str:
            # One label per definition, not per row; none for a questionnaire whose definition is missing.
            if (form_id, version) not in windows:
                try:
                    definition = self.registry.get(form_id, version)
                except KeyError:
                    windows[form_id, version] = ""
                else:
                    windows[form_id, version] = window_of(self.store, definition).label(today)
            return windows[form_id, version]

        return listed(summaries(self.store), lambda s: window(s.form_id, s.form_version))

    def profile_filled(self) -> bool:
        return bool(self.store.profile())
