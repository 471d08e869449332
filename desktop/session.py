"""The open data folder: definitions, store, and what the list shows. Loaded after the window appears."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.home import Row
from forms.campaign import window_of
from forms.evaluation import Progress
from forms.lifecycle import display
from forms.registry import FormRegistry
from forms.store import Store, StoreError
from forms.store.outbox import Outbox


class Session:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.registry = FormRegistry.load(data_dir / "forms", strict=False)
        self.store = Store.open(data_dir, self.registry)

    def close(self) -> None:
        self.store.close()

    def rows(self) -> list[Row]:
        """Every questionnaire, newest campaign first, then most recently edited first."""
        rows = []
        versions_by_uuid = {}
        outbox = Outbox(self.store)
        for info in self.store.list():
            try:
                definition = self.store.definition(info.uuid)
                if self.store.definition_missing(info.uuid):
                    raise StoreError  # shown as such, read-only: its own definition is missing here
                pages = self.store.evaluate(info.uuid).counted_pages
                campaign = f"Campagne {definition.campaign.school_year} — {definition.title}"
                order = definition.campaign.opens.isoformat()
                window = window_of(self.store, definition).label(dt.date.today())
            except StoreError:
                pages, campaign, order = (), f"Définition absente : {info.form_id} version {info.form_version}", ""
                window = ""
            versions_by_uuid[info.uuid] = order
            rows.append(
                Row(
                    uuid=info.uuid,
                    title=info.title,
                    campaign=campaign,
                    status=info.status,
                    pages_complete=sum(p.state == Progress.COMPLETE for p in pages),
                    pages_total=len(pages),
                    updated=f"{info.updated_at.astimezone():%d/%m/%Y %H:%M}",
                    deletable=self.store.can_delete(info.uuid),
                    badge=display(info.status, [i.state for i in outbox.items(info.uuid)]),
                    window=window,
                )
            )
        rows.sort(key=lambda r: versions_by_uuid[r.uuid], reverse=True)  # stable: keeps the edit order
        return rows

    def profile_filled(self) -> bool:
        return bool(self.store.profile())
