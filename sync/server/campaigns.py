"""Campaign windows: the definition's dates, unless the Caf or Cnaf set others on this server."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam
from sqlmodel import Session, select

from forms.definition import FormDefinition
from sync import protocol as p
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.models import CampaignWindow
from sync.server.problems import ApiProblem

_MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()  # noqa: SIM905
)

try:
    _PARIS: dt.tzinfo = ZoneInfo("Europe/Paris")
except ZoneInfoNotFoundError:  # no tz database: UTC is at most two hours off
    _PARIS = dt.UTC


_WINDOWS = table(CampaignWindow)
_FIND_WINDOW = select(_WINDOWS.c.opens, _WINDOWS.c.closes).where(_WINDOWS.c.form_id == bindparam("b_form"))


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


def window(session: Session, definition: FormDefinition) -> tuple[dt.date, dt.date]:
    row = session.connection().execute(_FIND_WINDOW, {"b_form": definition.id}).first()
    opens = (row.opens if row else None) or definition.campaign.opens
    closes = (row.closes if row else None) or definition.campaign.closes
    return opens, closes


WINDOW_CACHE_SECONDS = 10.0  # how soon another process's `campaign set` reaches a running server


def cached_window(ctx: ServerContext, session: Session, definition: FormDefinition) -> tuple[dt.date, dt.date]:
    """The window in force, read at most every few seconds (every transmission checks it)."""
    hit = ctx.windows.get(definition.id)
    if hit is not None and hit[2] > time.monotonic():
        return hit[0], hit[1]
    opens, closes = window(session, definition)
    ctx.windows[definition.id] = (opens, closes, time.monotonic() + WINDOW_CACHE_SECONDS)
    return opens, closes


def check_open(ctx: ServerContext, session: Session, definition: FormDefinition) -> None:
    """409 campaign_closed, with the dates in the French title, outside the window."""
    opens, closes = cached_window(ctx, session, definition)
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
    ctx: ServerContext, form_id: str, *, opens: dt.date | None, closes: dt.date | None
) -> tuple[dt.date, dt.date]:
    """Override the window of every version of `form_id`; returns the window now in force."""
    try:
        definition = ctx.registry.get(form_id)
    except KeyError:
        raise CampaignError(f"Formulaire inconnu : {form_id}.") from None

    def work(session: Session) -> tuple[dt.date, dt.date]:
        row = session.get(CampaignWindow, form_id) or CampaignWindow(form_id=form_id, updated_at=ctx.now())
        new_opens = opens or row.opens or definition.campaign.opens
        new_closes = closes or row.closes or definition.campaign.closes
        if new_closes < new_opens:
            raise CampaignError(
                f"La clôture ({french_date(new_closes)}) précède l'ouverture ({french_date(new_opens)})."
            )
        row.opens, row.closes, row.updated_at = new_opens, new_closes, ctx.now()
        session.add(row)
        return new_opens, new_closes

    result = ctx.db.write(work)
    ctx.windows.pop(form_id, None)
    return result


def form_refs(ctx: ServerContext) -> list[p.FormRef]:
    """Every definition served, with the campaign window in force."""
    with ctx.db.read() as session:
        overrides = {row.form_id: row for row in session.exec(select(CampaignWindow)).all()}
    refs = []
    for d in ctx.registry.all():
        row = overrides.get(d.id)
        refs.append(
            p.FormRef(
                form_id=d.id,
                form_version=d.version,
                title=d.title[:500],
                school_year=d.campaign.school_year,
                opens=(row.opens if row else None) or d.campaign.opens,
                closes=(row.closes if row else None) or d.campaign.closes,
            )
        )
    return refs
