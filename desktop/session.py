"""The open data folder: definitions, store, and what the list shows. Loaded after the window appears."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.home import Row
from forms.campaign import window_of
from forms.registry import FormRegistry
from forms.store import Store
from forms.store.summary import summaries


class Session:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.registry = FormRegistry.load(data_dir / "forms", strict=False)
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

        rows = [
            Row(
                uuid=s.uuid,
                title=s.title,
                campaign=s.campaign,
                status=s.status,
                pages_complete=s.pages_complete or 0,
                pages_total=s.pages_total,
                updated=f"{s.updated_at.astimezone():%d/%m/%Y %H:%M}",
                deletable=s.deletable,
                badge=s.badge,
                points=s.points,
                campaign_opens=s.campaign_opens,
                updated_sort=s.updated_at.isoformat(),
                window=window(s.form_id, s.form_version),
            )
            for s in summaries(self.store)
        ]
        rows.sort(key=lambda r: r.campaign_opens, reverse=True)  # stable: keeps the edit order
        return rows

    def profile_filled(self) -> bool:
        return bool(self.store.profile())
