"""What the syncs brought since the user last dismissed it: the list's « Nouvelles de la Caf ».

Kept in the store (not in the app's memory) so that the banner stays after a restart, and after a
sync run from the command line, until the user says « Compris ». The sync engine adds to it; the
desktop reads `text()` and calls `dismiss()`.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from forms.lifecycle import SEND_FAILED, display
from forms.store.errors import NotFound
from forms.store.outbox import Outbox
from forms.store.remote import SyncSummary
from forms.store.store import Store

NEWS_KEY = "news_unread"
"""Store setting: the counts and refused questionnaires not yet dismissed (JSON)."""


class News:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _read(self) -> dict[str, Any]:
        raw = self.store.setting(NEWS_KEY)
        try:
            found = json.loads(raw) if raw else {}
        except ValueError:
            found = {}  # a damaged value is news lost, never a crash
        return found if isinstance(found, dict) else {}

    def _write(self, news: dict[str, Any]) -> None:
        value = json.dumps(news, sort_keys=True)
        if value != self.store.setting(NEWS_KEY):  # a replayed feed that ends where it was writes nothing
            self.store.set_setting(NEWS_KEY, value)

    def add(self, summary: SyncSummary) -> None:
        """A pull's changes: the status each questionnaire took, notices, Caf edits, conflicts, received."""
        if not (summary.moved or summary.text()):
            return
        news = self._read()
        moved = dict(news.get("moved") or {})
        moved.update(summary.moved)
        news["moved"] = moved
        for name in ("notices", "caf_edits", "conflicts", "received"):
            news[name] = int(news.get(name) or 0) + getattr(summary, name)
        self._write(news)

    def add_refused(self, questionnaire_uuid: str) -> None:
        """A transmission the server refused for good."""
        news = self._read()
        refused = [u for u in news.get("refused") or [] if u != questionnaire_uuid]
        news["refused"] = [*refused, questionnaire_uuid]
        self._write(news)

    def refused_titles(self) -> list[str]:
        """The refused questionnaires still shown « Échec d'envoi » (a retried one that left is not news any more)."""
        titles = []
        outbox = Outbox(self.store)
        for questionnaire_uuid in self._read().get("refused") or []:
            try:
                info = self.store.get(str(questionnaire_uuid))
            except NotFound:
                continue
            if display(info.status, [i.state for i in outbox.items(info.uuid)]) is SEND_FAILED:
                titles.append(info.title)
        return titles

    def text(self) -> str:
        """One French sentence without its « Nouvelles de la Caf : » prefix, or "" when there is nothing.

        A status is news while the questionnaire still has it: the banner never says « à corriger » of
        one the list shows « À envoyer » again.
        """
        news = self._read()
        states: Counter[str] = Counter()
        for questionnaire_uuid, state in (news.get("moved") or {}).items():
            try:
                if self.store.get(str(questionnaire_uuid)).status == state:
                    states[str(state)] += 1
            except NotFound:
                continue
        summary = SyncSummary(
            states=states,
            notices=int(news.get("notices") or 0),
            caf_edits=int(news.get("caf_edits") or 0),
            conflicts=int(news.get("conflicts") or 0),
            received=int(news.get("received") or 0),
        )
        parts = [summary.text()] if summary.text() else []
        titles = self.refused_titles()
        if titles:
            named = ", ".join(f"«\u00a0{t}\u00a0»" for t in titles)
            n = len(titles)
            parts.append(
                f"{n} envoi{'s' if n > 1 else ''} refusé{'s' if n > 1 else ''} par le serveur ({named}) : "
                f"ouvrez {'les questionnaires' if n > 1 else 'le questionnaire'} pour voir la raison"
            )
        return ", ".join(parts) + "." if parts else ""

    def dismiss(self) -> None:
        self.store.set_setting(NEWS_KEY, None)
