"""One synchronisation: pull what the Caf did, push the outbox, pull again.

Push sends each questionnaire's versions in order, the same key and the same body on every
attempt. An unknown outcome (network, 5xx, 429/503, a broken 2xx) is retried with exponential
backoff and full jitter, honouring Retry-After; after a few attempts in this run it waits for the
next one (`next_attempt_at`). A final refusal is kept with the server's reason. Pull applies each
page with its cursor in one local transaction. Nothing here touches Qt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from forms.attachments import attachment_path
from forms.campaign import record_windows
from forms.logs import getLogger
from forms.store import Store
from forms.store.locks import RemoteStructureLock
from forms.store.news import News
from forms.store.outbox import Outbox, OutboxItem
from forms.store.rekey import rekey
from forms.store.remote import (
    Remote,
    RemoteChange,
    RemoteNotice,
    RemoteNoticeResolved,
    RemoteState,
    RemoteVersion,
    SyncSummary,
)
from forms.store.replies import RemoteReply
from forms.store.store import utc_now
from sync.client import MAX_SERVER_DELAY, SyncClient, server_delay
from sync.errors import BrokenReply, Offline, Refused, StaleBase, Transient
from sync.forms_update import fetch_forms
from sync.protocol import (
    CURSOR_INVALID,
    ID_TAKEN,
    Change,
    NoticeResolvedData,
    NoticeView,
    Problem,
    ReplyView,
    StateChangeData,
    StructureLockedData,
    VersionChangeData,
    problem_type,
)
from sync.replies import push_replies

Report = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]
PAGE_SIZE = 200


def _no_report(done: int, total: int, text: str) -> None:
    pass


def _never() -> bool:
    return False


@dataclass
class SyncResult:
    sent: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (questionnaire uuid, French reason)
    deferred: int = 0  # unknown outcomes left for a later attempt
    merged: int = 0
    new_forms: int = 0  # definitions received from the server (a new campaign, a new version)
    summary: SyncSummary = field(default_factory=SyncSummary)
    cancelled: bool = False
    attempted: set[str] = field(default_factory=set)  # questionnaires whose transmission was tried
    replies_sent: int = 0  # replies to the Caf's notices that the server now holds

    @property
    def changed(self) -> set[str]:
        """Every questionnaire this sync may have changed: the views refresh these, not everything."""
        return self.attempted | self.summary.changed

    def text(self) -> str:
        parts = []
        if self.sent:
            parts.append(f"{self.sent} questionnaire{'s' if self.sent > 1 else ''} transmis")
        news = self.summary.text()
        if news:
            parts.append(news)
        if self.new_forms:
            n = self.new_forms
            parts.append(
                f"{n} nouveau{'x' if n > 1 else ''} formulaire{'s' if n > 1 else ''} reçu{'s' if n > 1 else ''}"
            )
        if self.refused:
            n = len(self.refused)
            parts.append(f"{n} envoi{'s' if n > 1 else ''} refusé{'s' if n > 1 else ''}")
        if self.replies_sent:
            n = self.replies_sent
            parts.append(f"{n} réponse{'s' if n > 1 else ''} envoyée{'s' if n > 1 else ''} à la Caf")
        if self.deferred:
            parts.append(f"{self.deferred} envoi{'s' if self.deferred > 1 else ''} à reprendre plus tard")
        if self.cancelled:
            parts.append("synchronisation interrompue")
        text = ", ".join(parts) or "Tout est à jour"
        return text[0].upper() + text[1:] + "."  # a sentence: « Fiche Structure validée… » starts one too


@dataclass
class Backoff:
    """Exponential backoff with full jitter (seconds)."""

    base: float = 1.0
    cap: float = 300.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        jittered = self.rng.uniform(0, min(self.cap, self.base * 2 ** min(attempt, 64)))
        return min(MAX_SERVER_DELAY, max(jittered, server_delay(retry_after) or 0.0))  # never years away


_log = getLogger("sync.engine")
LAST_SYNC_KEY = "last_sync_at"
"""Store setting: when the last complete sync ended (UTC, ISO 8601)."""


def last_sync(store: Store) -> dt.datetime | None:
    raw = store.setting(LAST_SYNC_KEY)
    return dt.datetime.fromisoformat(raw) if raw else None


class Synchroniser:
    def __init__(
        self,
        store: Store,
        client: SyncClient,
        *,
        attempts_per_run: int = 4,
        inline_wait_cap: float = 2.0,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.store = store
        self.client = client
        self.outbox = Outbox(store)
        self.remote = Remote(store)
        self.attempts_per_run = attempts_per_run
        self.inline_wait_cap = inline_wait_cap
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self.clock = clock

    def run(self, *, force: bool = True, report: Report = _no_report, cancelled: Cancelled = _never) -> SyncResult:
        """Pull, push, pull. `force` sends even what waits for a later attempt (a click on Synchroniser)."""
        started = time.monotonic()
        _log.info("sync started: %d waiting in the outbox", self.outbox.count())
        try:
            result = self._run(force=force, report=report, cancelled=cancelled)
        except Exception as error:
            _log.warning("sync stopped after %.0f ms: %s", (time.monotonic() - started) * 1000, type(error).__name__)
            raise
        _log.info(
            "sync done in %.0f ms: sent %d, refused %d, deferred %d, merged %d, new forms %d, cancelled %s",
            (time.monotonic() - started) * 1000, result.sent, len(result.refused), result.deferred, result.merged,
            result.new_forms, result.cancelled,
        )  # fmt: skip
        return result

    def _run(self, *, force: bool, report: Report, cancelled: Cancelled) -> SyncResult:
        result = SyncResult()
        report(0, 0, "Récupération des nouvelles de la Caf…")
        self._refresh_forms(result)
        self.pull(result, cancelled)
        self.push(result, force=force, report=report, cancelled=cancelled)
        if not result.cancelled:
            push_replies(self, result, cancelled)  # after the versions: a reply may follow a correction
        if not result.cancelled:
            report(0, 0, "Dernières nouvelles de la Caf…")
            self.pull(result, cancelled)
            # Recorded here, not by a caller: a sync from the CLI counts as much as one from the app.
            self.store.set_setting(LAST_SYNC_KEY, self.clock().isoformat())
        return result

    def _refresh_forms(self, result: SyncResult) -> None:
        """New campaigns and versions served by the server; best effort, never a reason to hold the outbox."""
        try:
            served = self.client.form_list()
            record_windows(self.store, [(ref.form_id, ref.opens, ref.closes) for ref in served])
            result.new_forms += len(fetch_forms(self.client, self.store, [(r.form_id, r.form_version) for r in served]))
        except (Transient, Refused):
            pass  # the feed still fetches any form it needs before applying a change that uses it

    # --- pull ------------------------------------------------------------------------------

    def pull(self, result: SyncResult, cancelled: Cancelled = _never) -> None:
        cursor = self.remote.cursor()
        restarted = False
        while True:
            try:
                page = self.client.changes(cursor, PAGE_SIZE)
            except Refused as refusal:
                if refusal.code == CURSOR_INVALID and not restarted:
                    restarted = True  # the server forgot our position: every change applies idempotently
                    self.remote.reset_cursor()
                    cursor = None
                    continue
                raise
            records = [_record(change) for change in page.changes]
            wanted = {(r.form_id, r.form_version) for r in records if isinstance(r, RemoteVersion)}
            result.new_forms += len(fetch_forms(self.client, self.store, wanted))
            applied = self.remote.apply(records, page.next_cursor)
            result.summary.add(applied)
            News(self.store).add(applied)  # kept for the list's banner until dismissed, whoever synced
            if not page.has_more:
                return
            if page.next_cursor == cursor:
                raise BrokenReply("Le serveur annonce d'autres nouvelles sans avancer : synchronisation arrêtée.")
            cursor = page.next_cursor
            if cancelled():
                result.cancelled = True
                return

    # --- push ------------------------------------------------------------------------------

    def push(
        self, result: SyncResult, *, force: bool = True, report: Report = _no_report, cancelled: Cancelled = _never
    ) -> None:
        total = self.outbox.count()
        done = 0
        horizon = dt.datetime.max.replace(tzinfo=dt.UTC) if force else None
        postponed: set[str] = set()
        while True:
            items = [i for i in self.outbox.sendable(horizon or self.clock()) if i.op_id not in postponed]
            if not items:
                return
            for item in items:
                if cancelled():
                    result.cancelled = True
                    return
                report(done, max(total, done + 1), f"Envoi {done + 1} sur {max(total, done + 1)}…")
                result.attempted.add(item.questionnaire_uuid)
                if not self._send(item, result):
                    postponed.add(item.op_id)
                done += 1
                report(done, max(total, done), f"{done} envoi(s) traité(s) sur {max(total, done)}")

    def _send(self, item: OutboxItem, result: SyncResult) -> bool:
        """Try one item; True when it left the queue (sent, refused or replaced), False when postponed."""
        body = item.payload()
        rekeyed = False
        for attempt in range(self.attempts_per_run):
            try:
                self._upload_attachments(item, body)
                accepted, _replayed = self.client.put_version(item.questionnaire_uuid, item.op_id, item.body.encode())
            except StaleBase as stale:
                return self._settle_stale(item, stale, result)
            except Refused as refusal:
                if refusal.code == ID_TAKEN and not rekeyed:
                    # Another organisation wrote first under this id (a shared template file...):
                    # a new id for ours, everything kept, and the same frozen transmission again.
                    rekeyed = True
                    item = dataclasses.replace(item, questionnaire_uuid=rekey(self.store, item.questionnaire_uuid))
                    result.attempted.add(item.questionnaire_uuid)
                    continue
                self._refused(item, refusal, result)
                return True
            except Offline as error:
                self._postpone(item, error, attempt)
                result.deferred += 1
                raise  # the server is out of reach: stop this sync, nothing is lost
            except Transient as error:
                delay = self.backoff.delay(item.attempts + attempt, getattr(error, "retry_after", None))
                if attempt + 1 == self.attempts_per_run or delay > self.inline_wait_cap:
                    self._postpone(item, error, attempt)
                    result.deferred += 1
                    return False
                self.sleep(delay)
                continue
            self.outbox.mark_sent(item.op_id, server_rev=accepted.server_rev, state=accepted.state)
            result.sent += 1
            return True
        return False

    def _refused(self, item: OutboxItem, refusal: Refused, result: SyncResult) -> None:
        self.outbox.mark_refused(item.op_id, code=refusal.code, message=str(refusal))
        result.refused.append((item.questionnaire_uuid, str(refusal)))
        News(self.store).add_refused(item.questionnaire_uuid)

    def _postpone(self, item: OutboxItem, error: Transient, attempt: int) -> None:
        delay = self.backoff.delay(item.attempts + attempt + 1, getattr(error, "retry_after", None))
        self.outbox.mark_retry(
            item.op_id, code=error.code, message=str(error), next_attempt_at=self.clock() + dt.timedelta(seconds=delay)
        )

    def _upload_attachments(self, item: OutboxItem, body: dict[str, Any]) -> None:
        for attachment in body.get("attachments") or []:
            sha256, media_type = attachment["sha256"], attachment["media_type"]
            try:
                content = attachment_path(self.store, sha256).read_bytes()
            except OSError:
                raise Refused(
                    _local_problem(f"Le document « {attachment['name']} » est introuvable sur cet ordinateur.")
                ) from None
            self.client.put_attachment(item.questionnaire_uuid, sha256, content, media_type)

    def _settle_stale(self, item: OutboxItem, stale: StaleBase, result: SyncResult) -> bool:
        problem = stale.problem
        if problem.current_version_id is None or problem.current_answers is None:
            self._refused(item, stale, result)
            return True
        self.pull(result)  # bring the Caf's version into the local history first
        outcome, _new = self.remote.settle_stale(
            item.op_id,
            current_version_id=str(problem.current_version_id),
            current_answers=dict(problem.current_answers),
        )
        if outcome == "merged":
            result.merged += 1
        else:
            result.summary.conflicts += 1
        return True


def _local_problem(title: str) -> Problem:
    return Problem(
        type=problem_type("attachment_missing_local"), title=title, status=400, code="attachment_missing_local"
    )


def _record(change: Change) -> RemoteChange:
    """The wire change as a local record; a change that does not parse makes the whole page untrusted."""
    try:
        data = change.parsed()
    except ValidationError:
        raise BrokenReply("Une nouvelle reçue du serveur est mal formée : rien n'a été appliqué.") from None
    qid = str(change.questionnaire_id)
    if isinstance(data, VersionChangeData):
        return RemoteVersion(
            questionnaire_uuid=qid, version_id=str(data.version_id),
            base_version_id=str(data.base_version_id) if data.base_version_id else None,
            server_rev=data.server_rev, author_role=data.author_role, form_id=data.form_id,
            form_version=data.form_version, answers=dict(data.answers), payload_sha256=data.payload_sha256,
            created_at=data.created_at.isoformat(),
        )  # fmt: skip
    if isinstance(data, StateChangeData):
        return RemoteState(qid, data.state, str(data.version_id), data.at.isoformat())
    if isinstance(data, NoticeView):
        return RemoteNotice(
            questionnaire_uuid=qid, notice_id=str(data.notice_id), version_id=str(data.version_id),
            question_id=data.question_id, message=data.message, status=data.status,
            created_at=data.created_at.isoformat(),
        )  # fmt: skip
    if isinstance(data, ReplyView):
        return RemoteReply(qid, str(data.reply_id), str(data.notice_id), data.message, data.created_at.isoformat())
    if isinstance(data, StructureLockedData):
        return RemoteStructureLock(
            questionnaire_uuid=qid, form_id=data.form_id, validated_at=data.validated_at.isoformat(),
            question_ids=tuple(data.question_ids), answers=dict(data.answers),
        )  # fmt: skip
    assert isinstance(data, NoticeResolvedData)
    return RemoteNoticeResolved(qid, str(data.notice_id), str(data.resolved_by_version_id))
