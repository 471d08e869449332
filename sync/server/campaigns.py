"""Campaign windows: the definition's dates, unless the Caf or Cnaf set others on this server."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam
from sqlmodel import Session, select

from forms.definition import FormDefinition, load_definition
from sync import protocol as p
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.models import CampaignCafWindow, CampaignWindow
from sync.server.problems import ApiProblem

_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()  # noqa: SIM905
)

try:
    _PARIS: dt.tzinfo = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # no tz database: UTC is at most two hours off
    _PARIS = dt.UTC


_WINDOWS = table(CampaignWindow)
_CAF_WINDOWS = table(CampaignCafWindow)
_FIND_WINDOW = select(_WINDOWS.c.opens, _WINDOWS.c.closes).where(_WINDOWS.c.form_id == bindparam("b_form"))
_FIND_CAF_WINDOW = select(_CAF_WINDOWS.c.opens, _CAF_WINDOWS.c.closes).where(
    _CAF_WINDOWS.c.form_id == bindparam("b_form"), _CAF_WINDOWS.c.caf == bindparam("b_caf")
)


class CampaignError(ValueError):
    """A campaign window that cannot be set; the message is French."""


def french_date(day: dt.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {_MONTHS[day.month - 1]} {day.year}"


def local_today(now: dt.datetime) -> dt.date:
    """Campaign dates are French calendar days: a campaign closing on the 15th is open all that day."""
    return now.astimezone(_PARIS).date()


def local_time(moment: dt.datetime) -> dt.datetime:
    """French wall-clock time, for what the CLI prints."""
    return moment.astimezone(_PARIS)


def _overlay(base: tuple[dt.date, dt.date], row: Any) -> tuple[dt.date, dt.date]:
    """A window row over `base`: a date it leaves empty keeps the one under it."""
    return ((row.opens if row else None) or base[0], (row.closes if row else None) or base[1])


def window(session: Session, definition: FormDefinition, caf: str | None = None) -> tuple[dt.date, dt.date]:
    """The window in force for `caf`: its own if its Caf set one, else the national one, else the definition's."""
    connection = session.connection()
    national = _overlay(
        (definition.campaign.opens, definition.campaign.closes),
        connection.execute(_FIND_WINDOW, {"b_form": definition.id}).first(),
    )
    if not caf:
        return national
    return _overlay(national, connection.execute(_FIND_CAF_WINDOW, {"b_form": definition.id, "b_caf": caf}).first())


WINDOW_CACHE_SECONDS = 10.0  # how soon another process's `campaign set` reaches a running server


def cached_window(
    ctx: ServerContext, session: Session, definition: FormDefinition, caf: str | None = None
) -> tuple[dt.date, dt.date]:
    """The window in force for `caf`, read at most every few seconds (every transmission checks it)."""
    key = (definition.id, caf or "")
    hit = ctx.windows.get(key)
    if hit is not None and hit[2] > time.monotonic():
        return hit[0], hit[1]
    opens, closes = window(session, definition, caf)
    ctx.windows[key] = (opens, closes, time.monotonic() + WINDOW_CACHE_SECONDS)
    return opens, closes


def check_open(ctx: ServerContext, session: Session, definition: FormDefinition, caf: str | None = None) -> None:
    """409 campaign_closed, with the dates in the French title, outside the partner's Caf window."""
    opens, closes = cached_window(ctx, session, definition, caf)
    today = local_today(ctx.now())
    year = definition.campaign.school_year
    if today < opens:
        title = f"La campagne {year} n'est pas encore ouverte : elle ouvre le {french_date(opens)}"
    elif today > closes:
        title = (
            f"La campagne {year} est close depuis le {french_date(closes)} "
            f"(ouverte du {french_date(opens)} au {french_date(closes)})"
        )
    else:
        return
    raise ApiProblem(409, p.CAMPAIGN_CLOSED, title, opens=opens, closes=closes)


def set_window(
    ctx: ServerContext, form_id: str, *, opens: dt.date | None, closes: dt.date | None, caf: str | None = None
) -> tuple[dt.date, dt.date]:
    """Override the window of every version of `form_id`, nationally or for one Caf (`caf`);
    returns the window now in force there."""
    try:
        definition = ctx.registry.get(form_id)
    except KeyError:
        raise CampaignError(f"Formulaire inconnu : {form_id}.") from None
    if caf is not None and not caf.strip():
        raise CampaignError("Indiquez le code de la Caf (--caf CODE).")

    def work(session: Session) -> tuple[dt.date, dt.date]:
        row: CampaignWindow | CampaignCafWindow
        if caf:
            below = window(session, definition)  # the national window under the Caf's own
            row = session.get(CampaignCafWindow, (form_id, caf)) or CampaignCafWindow(
                form_id=form_id, caf=caf, updated_at=ctx.now()
            )
        else:
            below = (definition.campaign.opens, definition.campaign.closes)
            row = session.get(CampaignWindow, form_id) or CampaignWindow(form_id=form_id, updated_at=ctx.now())
        new_opens = opens or row.opens or below[0]
        new_closes = closes or row.closes or below[1]
        if new_closes < new_opens:
            raise CampaignError(
                f"La clôture ({french_date(new_closes)}) précède l'ouverture ({french_date(new_opens)})."
            )
        row.opens, row.closes, row.updated_at = new_opens, new_closes, ctx.now()
        session.add(row)
        return new_opens, new_closes

    result = ctx.db.write(work)
    for key in [k for k in ctx.windows if k[0] == form_id]:
        ctx.windows.pop(key, None)
    return result


def form_refs(ctx: ServerContext, caf: str | None = None) -> list[p.FormRef]:
    """Every definition served, with the campaign window in force (for `caf` when given: a partner's own)."""
    ctx.refresh_forms()
    with ctx.db.read() as session:
        overrides = {row.form_id: row for row in session.exec(select(CampaignWindow)).all()}
        own = (
            {row.form_id: row for row in session.exec(select(CampaignCafWindow).where(CampaignCafWindow.caf == caf))}
            if caf
            else {}
        )
    refs = []
    for d in ctx.registry.all():
        opens, closes = _overlay(_overlay((d.campaign.opens, d.campaign.closes), overrides.get(d.id)), own.get(d.id))
        refs.append(
            p.FormRef(
                form_id=d.id,
                form_version=d.version,
                title=d.title[:500],
                school_year=d.campaign.school_year,
                opens=opens,
                closes=closes,
            )
        )
    return refs


def caf_windows(ctx: ServerContext) -> list[CampaignCafWindow]:
    """Every Caf's own window, by form and Caf (for `campaign list`)."""
    with ctx.db.read() as session:
        return list(session.exec(select(CampaignCafWindow).order_by(CampaignCafWindow.form_id, CampaignCafWindow.caf)))


def publish(ctx: ServerContext, path: Path) -> FormDefinition:
    """Validate a definition file with the app's own loader and serve it as its campaign's current version.

    It is copied into the server's first definitions folder; a running server serves it at the next
    /forms call, and partners' apps fetch it at their next sync."""
    definition = load_definition(path)  # the same loader, the same French errors as the app
    if not ctx.settings.forms_dirs:
        raise CampaignError("Indiquez le dossier des définitions publiées : --forms-dir DOSSIER.")
    if definition.key in ctx.registry:
        if ctx.registry.get(*definition.key) == definition:
            return definition  # published already: nothing to do
        raise CampaignError(
            f"La version {definition.version} de {definition.id} est déjà publiée avec un autre contenu : "
            "publiez une version supérieure."
        )
    try:
        current = ctx.registry.get(definition.id)
    except KeyError:
        current = None
    if current is not None and current.version > definition.version:
        raise CampaignError(
            f"{definition.id} est déjà publié en version {current.version} : "
            f"la version {definition.version} ne peut pas le remplacer."
        )
    folder = ctx.settings.forms_dirs[0]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{definition.id}-v{definition.version}.json"
    temporary = target.with_suffix(".json.tmp")
    temporary.write_bytes(path.read_bytes())
    os.replace(temporary, target)
    ctx.registry.add(definition, target.name)
    ctx.forms_stamp = ctx.forms_files()
    return definition
