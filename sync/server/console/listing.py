"""The console's list and dashboard: one Caf's questionnaires of one campaign, filtered, searched,
sorted and paginated; counts by state, transmissions per day, partners to remind.

Organisation, action, commune and SIRET come from the answers through the definition's roles. A
version never changes, so what is read from its answers is cached by version id: a page of the list
parses only the versions it has not seen yet (4,000 questionnaires stay fast).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from forms.definition import FormDefinition
from forms.lifecycle import NoticeState, Status
from sync.server import campaigns
from sync.server.accounts import PARTNER
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.models import Account, FeedChange, FundedActions, Notice, Questionnaire, Version

_Q, _A, _V, _N, _F = table(Questionnaire), table(Account), table(Version), table(Notice), table(FeedChange)
PAGE_SIZE = 50
SORTS = ("organisation", "action", "commune", "state", "version", "notices", "updated")


@dataclass(frozen=True)
class Row:
    questionnaire_id: uuid.UUID
    organisation: str
    organisation_email: str
    action: str
    commune: str
    siret: str
    state: Status
    version: int
    open_notices: int
    updated_at: dt.datetime
    search: str  # folded text searched by the search box
    folded: tuple[str, str, str]  # organisation, action, commune without case or accents, for sorting


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total: int
    page: int
    pages: int


def fold(text: str) -> str:
    """Lower case without accents, so « Chambery » finds « Chambéry »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class RoleCache:
    """version id -> (action, commune, siret), read once from the version's answers."""

    def __init__(self, max_entries: int = 100_000) -> None:
        self._entries: dict[uuid.UUID, tuple[str, str, str]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def get_many(
        self, ctx: ServerContext, wanted: dict[uuid.UUID, tuple[str, int]]
    ) -> dict[uuid.UUID, tuple[str, str, str]]:
        with self._lock:
            found = {v: self._entries[v] for v in wanted if v in self._entries}
        missing = [v for v in wanted if v not in found]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            with ctx.db.read() as session:
                rows = session.connection().execute(select(_V.c.id, _V.c.answers_json).where(_V.c.id.in_(chunk))).all()
            for vid, text in rows:
                form_id, form_version = wanted[vid]
                found[vid] = roles_of(_definition(ctx, form_id, form_version), json.loads(text))
        with self._lock:
            if len(self._entries) + len(missing) > self.max_entries:
                self._entries.clear()
            self._entries.update({v: found[v] for v in missing if v in found})
        return found


def _definition(ctx: ServerContext, form_id: str, form_version: int) -> FormDefinition | None:
    return ctx.registry.get(form_id, form_version) if (form_id, form_version) in ctx.registry else None


def roles_of(definition: FormDefinition | None, answers: dict[str, Any]) -> tuple[str, str, str]:
    if definition is None:
        return "", "", ""
    return (
        definition.text_for_role(answers, "action_place") or "",
        definition.text_for_role(answers, "commune") or "",
        definition.text_for_role(answers, "siret") or "",
    )


class RowsCache:
    """The rows of one Caf and campaign, kept while a cheap fingerprint of them is unchanged.

    Every change that shows in the list moves the fingerprint (see `fingerprint`)."""

    def __init__(self) -> None:
        self.roles = RoleCache()
        self._rows: dict[tuple[str, str], tuple[tuple[Any, ...], RowSet]] = {}
        self._boards: dict[tuple[str, str], tuple[tuple[Any, ...], Dashboard]] = {}
        self._lock = threading.Lock()

    def rows(self, ctx: ServerContext, caf: str, form_id: str) -> RowSet:
        stamp = fingerprint(ctx, caf, form_id)
        with self._lock:
            hit = self._rows.get((caf, form_id))
        if hit is not None and hit[0] == stamp:
            return hit[1]
        rows = RowSet(rows_of(ctx, self.roles, caf, form_id))
        with self._lock:
            self._rows[(caf, form_id)] = (stamp, rows)
        return rows

    def dashboard(self, ctx: ServerContext, caf: str, definition: FormDefinition) -> Dashboard:
        """The dashboard, computed again only when the questionnaires, the partners, the number of
        funded actions, the window or the day changed."""
        with ctx.db.read() as session:
            funded_row = session.get(FundedActions, (caf, definition.id))
            window = campaigns.window(session, definition)
        key = (
            fingerprint(ctx, caf, definition.id),
            funded_row.count if funded_row else None,
            window,
            campaigns.local_today(ctx.now()),
        )
        with self._lock:
            hit = self._boards.get((caf, definition.id))
        if hit is not None and hit[0] == key:
            return hit[1]
        board = dashboard(ctx, caf, definition)
        with self._lock:
            self._boards[(caf, definition.id)] = (key, board)
        return board


def fingerprint(ctx: ServerContext, caf: str, form_id: str) -> tuple[Any, ...]:
    """Two primary-key maxima: every change a list or a dashboard shows (a version, a state, a notice
    created or resolved) writes a feed row in its transaction, and a new partner a new account row."""
    del caf, form_id  # global on purpose: two index lookups, whatever the number of questionnaires
    with ctx.db.read() as session:
        connection = session.connection()
        last_change = connection.execute(select(func.max(_F.c.id))).scalar()
        last_account = connection.execute(select(func.max(_A.c.id))).scalar()
    return (last_change, last_account)


def rows_of(ctx: ServerContext, cache: RoleCache, caf: str, form_id: str) -> list[Row]:
    """Every questionnaire of the Caf in the campaign, as list rows (unsorted)."""
    query = (
        select(
            _Q.c.id,
            _Q.c.form_id,
            _Q.c.form_version,
            _Q.c.state,
            _Q.c.server_rev,
            _Q.c.updated_at,
            _Q.c.current_version_id,
            _A.c.name,
            _A.c.email,
        )
        .join(_A, _A.c.id == _Q.c.organisation_id)
        .where(_Q.c.caf == caf, _Q.c.form_id == form_id)
    )
    counts_query = (
        select(_N.c.questionnaire_id, func.count())
        .join(_Q, _Q.c.id == _N.c.questionnaire_id)
        .where(_Q.c.caf == caf, _Q.c.form_id == form_id, _N.c.status == NoticeState.OPEN.value)
        .group_by(_N.c.questionnaire_id)
    )
    with ctx.db.read() as session:
        connection = session.connection()
        found = connection.execute(query).all()
        counts = {qid: int(n) for qid, n in connection.execute(counts_query).all()}
    roles = cache.get_many(ctx, {r.current_version_id: (r.form_id, r.form_version) for r in found})
    folded_names: dict[str, str] = {}
    rows = []
    for r in found:
        action, commune, siret = roles.get(r.current_version_id, ("", "", ""))
        name = folded_names.get(r.name)
        if name is None:
            name = folded_names[r.name] = fold(r.name)
        folded = (name, fold(action), fold(commune))
        rows.append(
            Row(
                questionnaire_id=r.id,
                organisation=r.name,
                organisation_email=r.email,
                action=action,
                commune=commune,
                siret=siret,
                state=Status(r.state),
                version=r.server_rev,
                open_notices=counts.get(r.id, 0),
                updated_at=r.updated_at,
                search="\n".join((*folded, siret)),
                folded=folded,
            )
        )
    return rows


_SORT_KEYS: dict[str, Any] = {
    "organisation": lambda r: r.folded[0],
    "action": lambda r: r.folded[1],
    "commune": lambda r: r.folded[2],
    "state": lambda r: r.state.label,
    "version": lambda r: r.version,
    "notices": lambda r: r.open_notices,
    "updated": lambda r: r.updated_at,
}


class RowSet:
    """The rows of a list, with each column's ascending order computed once and kept."""

    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows
        self._orders: dict[str, list[Row]] = {}
        self._lock = threading.Lock()

    def ordered(self, sort: str) -> list[Row]:
        with self._lock:
            found = self._orders.get(sort)
        if found is None:
            key = _SORT_KEYS.get(sort, _SORT_KEYS["updated"])
            found = sorted(self.rows, key=lambda r: (key(r), r.questionnaire_id))
            with self._lock:
                self._orders[sort] = found
        return found


def page_of(
    rows: RowSet | list[Row], *, state: str | None, search: str, sort: str, descending: bool, page: int
) -> Page:
    ordered = (rows if isinstance(rows, RowSet) else RowSet(rows)).ordered(sort)
    if descending:
        ordered = ordered[::-1]
    if state:
        ordered = [r for r in ordered if r.state.value == state]
    words = fold(search).split()
    if words:
        ordered = [r for r in ordered if all(w in r.search for w in words)]
    pages = max(1, -(-len(ordered) // PAGE_SIZE))
    page = min(max(1, page), pages)
    return Page(ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(ordered), page, pages)


# --- dashboard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    counts: dict[Status, int]
    received: int  # questionnaires that reached the Caf (any state)
    funded: int | None
    rate: float | None  # received / funded
    opens: dt.date
    closes: dt.date
    days_left: int
    per_day: list[tuple[dt.date, int]]  # first transmissions per French calendar day (or week), opens..closes
    weekly: bool  # a window over two months long is counted per week (starting on the dates given)
    to_remind: list[Account]  # partners of the Caf with no questionnaire in the campaign


def dashboard(ctx: ServerContext, caf: str, definition: FormDefinition) -> Dashboard:
    form_id = definition.id
    with ctx.db.read() as session:
        connection = session.connection()
        states = connection.execute(
            select(_Q.c.state, func.count()).where(_Q.c.caf == caf, _Q.c.form_id == form_id).group_by(_Q.c.state)
        ).all()
        # The first partner version of each questionnaire: the day it was first transmitted.
        firsts = connection.execute(
            select(func.min(_V.c.created_at))
            .join(_Q, _Q.c.id == _V.c.questionnaire_id)
            .where(_Q.c.caf == caf, _Q.c.form_id == form_id, _V.c.author_role == PARTNER)
            .group_by(_V.c.questionnaire_id)
        ).all()
        with_questionnaire = select(_Q.c.organisation_id).where(_Q.c.caf == caf, _Q.c.form_id == form_id)
        remind = [
            Account(**row._mapping)
            for row in connection.execute(
                select(_A)
                .where(_A.c.caf == caf, _A.c.role == PARTNER, _A.c.id.not_in(with_questionnaire))
                .order_by(_A.c.name)
            )
        ]
        funded_row = session.get(FundedActions, (caf, form_id))
        opens, closes = campaigns.window(session, definition)
    counts: dict[Status, int] = {s: 0 for s in Status if s not in (Status.EN_COURS, Status.A_ENVOYER)}
    for state, n in states:
        counts[Status(state)] = int(n)
    received = sum(counts.values())
    # min() over a TypeDecorator column comes back raw on SQLite: make it an aware datetime again.
    days: Counter[dt.date] = Counter()
    for (first,) in firsts:
        moment = first if isinstance(first, dt.datetime) else dt.datetime.fromisoformat(str(first))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        days[campaigns.local_today(moment)] += 1
    span = [opens + dt.timedelta(days=i) for i in range((closes - opens).days + 1)]
    outside = sum(n for d, n in days.items() if d < opens or d > closes)
    per_day = [(d, days.get(d, 0)) for d in span]
    if outside and per_day:  # transmissions outside the window (overridden dates): counted on the nearest day
        before = sum(n for d, n in days.items() if d < opens)
        after = outside - before
        per_day[0] = (per_day[0][0], per_day[0][1] + before)
        per_day[-1] = (per_day[-1][0], per_day[-1][1] + after)
    weekly = len(per_day) > 62
    if weekly:
        weeks: dict[dt.date, int] = {}
        for day, n in per_day:
            monday = day - dt.timedelta(days=day.weekday())
            weeks[monday] = weeks.get(monday, 0) + n
        per_day = sorted(weeks.items())
    today = campaigns.local_today(ctx.now())
    funded = funded_row.count if funded_row is not None else None
    return Dashboard(
        counts=counts,
        received=received,
        funded=funded,
        rate=(received / funded) if funded else None,
        opens=opens,
        closes=closes,
        days_left=max(0, (closes - today).days),
        per_day=per_day,
        weekly=weekly,
        to_remind=list(remind),
    )


def set_funded(ctx: ServerContext, caf: str, form_id: str, count: int) -> None:
    def work(session: Any) -> None:
        row = session.get(FundedActions, (caf, form_id)) or FundedActions(
            caf=caf, form_id=form_id, count=count, updated_at=ctx.now()
        )
        row.count, row.updated_at = count, ctx.now()
        session.add(row)

    ctx.db.write(work)
