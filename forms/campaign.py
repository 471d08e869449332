"""The campaign window a partner sees: its Caf's window as last seen from the server, else the definition's.

The server may give each Caf its own collection dates (seed 000: « Les Caf peuvent adapter la
diffusion des dates de collecte »). The sync client records the windows the server sent for this
partner; the list, the questionnaire header and the warning before *Transmettre* read them here.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass

from forms.definition import FormDefinition
from forms.store import Store

WINDOWS_KEY = "campaign_windows"  # store setting: {form id: {"opens": ISO date, "closes": ISO date}}
SOON_DAYS = 30  # a campaign opening within this many days is shown as opening soon


class Phase(enum.StrEnum):
    NOT_YET = "not_yet"
    SOON = "soon"
    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True)
class Window:
    opens: dt.date
    closes: dt.date
    from_server: bool  # the partner's Caf window as the server last said, else the definition's dates

    def phase(self, today: dt.date) -> Phase:
        if today > self.closes:
            return Phase.CLOSED
        if today >= self.opens:
            return Phase.OPEN
        return Phase.SOON if (self.opens - today).days <= SOON_DAYS else Phase.NOT_YET

    def label(self, today: dt.date) -> str:
        """One French line for the list and the questionnaire header."""
        phase = self.phase(today)
        if phase is Phase.CLOSED:
            return f"Campagne close depuis le {self.closes:%d/%m/%Y}"
        if phase is Phase.OPEN:
            return f"Campagne ouverte jusqu'au {self.closes:%d/%m/%Y}"
        if phase is Phase.SOON:
            return f"Campagne bientôt ouverte : du {self.opens:%d/%m/%Y} au {self.closes:%d/%m/%Y}"
        return f"Campagne pas encore ouverte : du {self.opens:%d/%m/%Y} au {self.closes:%d/%m/%Y}"

    def transmit_warning(self, today: dt.date) -> str | None:
        """What to say before freezing a transmission the Caf's server will refuse, or None."""
        phase = self.phase(today)
        if phase is Phase.OPEN:
            return None
        if phase is Phase.CLOSED:
            when = f"La campagne est close depuis le {self.closes:%d/%m/%Y}"
        else:
            when = f"La campagne n'ouvre que le {self.opens:%d/%m/%Y}"
        return (
            f"{when} : le serveur de la Caf refusera l'envoi. Le questionnaire sera figé et restera en attente "
            "sur cet ordinateur. Contactez votre Caf (elle peut prolonger la collecte) avant de transmettre."
        )


def record_windows(store: Store, windows: Iterable[tuple[str, dt.date | None, dt.date | None]]) -> None:
    """Keep the windows the server sent for this partner (form id, opens, closes); replaces the previous ones."""
    kept = {
        form_id: {"opens": opens.isoformat(), "closes": closes.isoformat()}
        for form_id, opens, closes in windows
        if opens is not None and closes is not None
    }
    store.set_setting(WINDOWS_KEY, json.dumps(kept, sort_keys=True))


def window_of(store: Store, definition: FormDefinition) -> Window:
    """The window in force for `definition`'s campaign, as this computer last knew it."""
    try:
        seen = json.loads(store.setting(WINDOWS_KEY) or "{}").get(definition.id)
        if seen:
            return Window(dt.date.fromisoformat(seen["opens"]), dt.date.fromisoformat(seen["closes"]), True)
    except (ValueError, KeyError, TypeError, AttributeError):
        pass  # a damaged setting: the definition's dates are still right for most Caf
    return Window(definition.campaign.opens, definition.campaign.closes, False)
