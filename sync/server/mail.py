"""E-mail to partners and Cafs: a durable queue in the server database, sent by a background thread.

A transmission, a return or a validation queues its French message in the same transaction as
the change itself, so a message is never lost and never blocks or fails the change: sending is
the sender's business, later, retried with exponential backoff while the SMTP server is away.
Nothing is queued when no SMTP server is configured (`--smtp-url` / BILAN_CLAS_SMTP_URL).
A Caf that gave its address (`bilan-clas-server caf set CODE --email …`) gets a daily digest of
the new transmissions.

SMTP URLs: `smtp://[user:password@]host[:port]` (plain, port 25), `smtp+starttls://…` (STARTTLS
required, port 587) and `smtps://…` (TLS from the start, port 465).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
import ssl
import threading
import urllib.parse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from forms.definition import FormDefinition
from forms.lifecycle import Action, NoticeState, Status
from sync.server.campaigns import local_time
from sync.server.context import ServerContext
from sync.server.db import table
from sync.server.models import Account, CafMail, MailMessage, Notice, Questionnaire, Version

log = logging.getLogger("bilan_clas.server.mail")  # shown by `serve` (request_log.log_to_stderr)

TRANSMITTED, RETURNED, VALIDATED, DIGEST = "transmitted", "returned", "validated", "digest"
# The state a message announces is named as the lifecycle names it (lower-cased for the log's column).
KIND_LABELS = {
    TRANSMITTED: Status.TRANSMIS.label.lower(),
    RETURNED: Status.A_CORRIGER.label.lower(),
    VALIDATED: Status.VALIDE.label.lower(),
    DIGEST: "récapitulatif",
}
_SIGNATURE = "\n\n--\nMessage envoyé automatiquement par Bilan Clas : merci de ne pas y répondre.\n"
BATCH = 20  # messages per pass of the sender
CLAIM_LEASE = dt.timedelta(minutes=5)


class MailError(ValueError):
    """A mail setting that cannot be used; the message is French."""


@dataclass(frozen=True)
class SmtpTarget:
    scheme: str  # smtp | smtp+starttls | smtps
    host: str
    port: int
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpTarget:
        parts = urllib.parse.urlsplit(url)
        defaults = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
        if parts.scheme not in defaults or not parts.hostname:
            raise MailError(
                f"Adresse SMTP invalide : « {url} » (exemple : smtp+starttls://utilisateur:motdepasse@smtp.exemple.fr)."
            )
        return cls(
            parts.scheme,
            parts.hostname,
            parts.port or defaults[parts.scheme],
            urllib.parse.unquote(parts.username) if parts.username else None,
            urllib.parse.unquote(parts.password) if parts.password else None,
        )

    def safe(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def send(self, message: EmailMessage, timeout: float) -> None:
        if self.scheme == "smtps":
            context = ssl.create_default_context()
            client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=timeout)
        with client:
            if self.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


# --- queueing, inside the transaction of the change ------------------------------------------------


def enabled(ctx: ServerContext) -> bool:
    return bool(ctx.settings.smtp_url)


def queue(
    session: Session,
    ctx: ServerContext,
    *,
    kind: str,
    to: str,
    subject: str,
    body: str,
    qid: uuid.UUID | None,
    now: dt.datetime,
) -> None:
    if not enabled(ctx):
        return
    session.add(
        MailMessage(
            kind=kind, to_address=to, subject=subject, body=body + _SIGNATURE, questionnaire_id=qid,
            created_at=now, attempts=0, next_attempt_at=now,
        )
    )  # fmt: skip


def _action(definition: FormDefinition | None, answers: Mapping[str, Any]) -> str:
    if definition is None:
        return "votre action Clas"
    place = definition.text_for_role(answers, "action_place")
    commune = definition.text_for_role(answers, "commune")
    described = ", ".join(part for part in (place, commune) if part)
    return f"« {described} »" if described else f"« {definition.title} »"


def _campaign(definition: FormDefinition | None) -> str:
    if definition is None:
        return ""
    return f" (campagne {definition.campaign.school_year})"


def _definition(ctx: ServerContext, form_id: str, form_version: int) -> FormDefinition | None:
    return ctx.registry.get(form_id, form_version) if (form_id, form_version) in ctx.registry else None


def on_transmitted(
    ctx: ServerContext,
    session: Session,
    partner: Account,
    qid: uuid.UUID,
    definition: FormDefinition | None,
    answers: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """The partner's transmission was accepted: tell the partner (the Caf hears of it in its digest)."""
    if not enabled(ctx):
        return  # before building the text: this runs in every transmission's write transaction
    action = _action(definition, answers)
    body = (
        f"Bonjour,\n\nLe questionnaire de bilan Clas de {action}{_campaign(definition)} a bien été transmis "
        f"à votre Caf le {local_time(now):%d/%m/%Y à %H:%M}.\n\nOrganisation : {partner.name}\n"
        f"Référence : {qid}\n\nLa Caf va le vérifier. Vous recevrez un message s'il vous est renvoyé pour "
        "correction, et lorsqu'il sera validé. Le questionnaire reste consultable et imprimable dans "
        "l'application Bilan Clas."
    )
    queue(
        session, ctx, kind=TRANSMITTED, to=partner.email, subject=f"Bilan Clas : questionnaire transmis — {action}",
        body=body, qid=qid, now=now,
    )  # fmt: skip


def on_review(ctx: ServerContext, session: Session, q: Questionnaire, review: Action, now: dt.datetime) -> None:
    """The Caf returned (Action.RETURN) or validated (Action.VALIDATE) `q`: tell the partner."""
    if not enabled(ctx) or review not in (Action.RETURN, Action.VALIDATE):
        return
    partner = session.get(Account, q.organisation_id)
    current = session.get(Version, q.current_version_id)
    assert partner is not None
    assert current is not None
    definition = _definition(ctx, q.form_id, q.form_version)
    action = _action(definition, json.loads(current.answers_json))
    if review is Action.VALIDATE:
        kind, subject = VALIDATED, f"Bilan Clas : questionnaire validé par la Caf — {action}"
        text = (
            f"Bonjour,\n\nVotre Caf a validé le questionnaire de bilan Clas de {action}{_campaign(definition)} "
            f"le {local_time(now):%d/%m/%Y à %H:%M}. Il est désormais définitif.\n\nRéférence : {q.id}"
        )
    else:
        kind, subject = RETURNED, f"Bilan Clas : questionnaire à corriger — {action}"
        notices = session.exec(
            select(Notice)
            .where(Notice.questionnaire_id == q.id, Notice.status == NoticeState.OPEN)
            .order_by(col(Notice.created_at))
        ).all()
        labels = {x.id: x.label for x in definition.questions()} if definition is not None else {}
        lines = "".join(
            f"\n- {labels.get(n.question_id, n.question_id) if n.question_id else 'Remarque générale'} : {n.message}"
            for n in notices
        )
        text = (
            f"Bonjour,\n\nVotre Caf vous renvoie pour correction le questionnaire de bilan Clas de {action}"
            f"{_campaign(definition)}.\n"
            + (f"\nSes remarques :{lines}\n" if lines else "")
            + "\nOuvrez l'application Bilan Clas, synchronisez, corrigez les points signalés (vous pouvez aussi "
            f"répondre à chaque remarque), puis transmettez-le de nouveau.\n\nRéférence : {q.id}"
        )
    queue(session, ctx, kind=kind, to=partner.email, subject=subject, body=text, qid=q.id, now=now)


# --- the Cafs' daily digest ------------------------------------------------------------------------


def set_caf_email(ctx: ServerContext, caf: str, address: str | None) -> None:
    """The Caf's own address for the daily digest (None: no digest)."""
    if address is not None and ("@" not in address or len(address) > 254 or any(c in address for c in "\r\n <>")):
        raise MailError(f"Adresse électronique invalide : « {address} ».")

    def work(session: Session) -> None:
        row = session.get(CafMail, caf)
        if address is None:
            if row is not None:
                session.delete(row)
            return
        if row is None:
            row = CafMail(caf=caf, email=address.strip().lower(), digest_until=ctx.now())
        row.email = address.strip().lower()
        session.add(row)

    ctx.db.write(work)


def queue_digests(ctx: ServerContext, now: dt.datetime | None = None) -> int:
    """Queue each Caf's digest when its day has passed (transmissions since the last one); returns how many."""
    if not enabled(ctx):
        return 0
    moment = now or ctx.now()
    every = ctx.settings.mail_digest_every

    def work(session: Session) -> int:
        count = 0
        for row in session.exec(select(CafMail).with_for_update()).all():
            since = row.digest_until or moment
            if moment - since < every:
                continue
            found = session.exec(
                select(Version, Questionnaire, Account)
                .where(
                    Version.questionnaire_id == Questionnaire.id,
                    Questionnaire.organisation_id == Account.id,
                    Questionnaire.caf == row.caf,
                    Version.author_role == "partner",
                    col(Version.created_at) > since,
                    col(Version.created_at) <= moment,
                )
                .order_by(col(Version.created_at))
            ).all()
            row.digest_until = moment
            session.add(row)
            if not found:
                continue
            lines = "".join(
                f"\n- {local_time(v.created_at):%d/%m/%Y %H:%M}  {org.name} <{org.email}>  "
                f"{_action(_definition(ctx, v.form_id, v.form_version), _answers(v))}  ({q.id})"
                for v, q, org in found
            )
            n = len(found)
            plural = "s" if n > 1 else ""
            queue(
                session, ctx, kind=DIGEST, to=row.email,
                subject=f"Bilan Clas : {n} nouvelle{plural} transmission{plural} (Caf {row.caf})",
                body=(
                    f"Bonjour,\n\nDepuis le {local_time(since):%d/%m/%Y à %H:%M}, {n} questionnaire{plural} "
                    f"de bilan Clas {'ont' if n > 1 else 'a'} été transmis à la Caf {row.caf} :\n{lines}\n\n"
                    "Ils vous attendent dans la console de la Caf (/caf/) ou avec « bilan-clas-server review list »."
                ),
                qid=None, now=moment,
            )  # fmt: skip
            count += 1
        return count

    return ctx.db.write(work)


def _answers(version: Version) -> dict[str, Any]:
    return json.loads(version.answers_json)  # type: ignore[no-any-return]


# --- the sender ------------------------------------------------------------------------------------


def backoff(ctx: ServerContext, attempts: int) -> dt.timedelta:
    """Exponential: base, 2 × base, 4 × base… up to the cap (attempts counts the failures so far)."""
    base = ctx.settings.mail_retry_base.total_seconds()
    return dt.timedelta(seconds=min(ctx.settings.mail_retry_cap.total_seconds(), base * 2 ** max(0, attempts - 1)))


def send_due(ctx: ServerContext, target: SmtpTarget, now: dt.datetime | None = None) -> tuple[int, int]:
    """One pass: send the messages that are due, oldest first; returns (sent, failed)."""
    moment = now or ctx.now()
    with ctx.db.read() as session:
        due = session.exec(
            select(MailMessage)
            .where(col(MailMessage.sent_at).is_(None), col(MailMessage.next_attempt_at) <= moment)
            .order_by(col(MailMessage.id))
            .limit(BATCH)
        ).all()
    sent = failed = 0
    for message in due:
        if not _claim(ctx, message.id, moment):
            continue  # another worker's sender has it
        try:
            target.send(_email(ctx, message), ctx.settings.mail_timeout)
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            _outcome(ctx, message.id, error=f"{type(error).__name__}: {error}"[:500])
            if isinstance(error, (ConnectionError, TimeoutError, smtplib.SMTPServerDisconnected)):
                break  # the server is away: the rest waits for the next pass
            continue
        sent += 1
        _outcome(ctx, message.id, error=None)
    return sent, failed


def _claim(ctx: ServerContext, message_id: int | None, now: dt.datetime) -> bool:
    """Take a due message for this pass (a lease: if this process dies mid-send, it is due again later)."""
    rows = table(MailMessage)
    statement = (
        update(rows)
        .where(rows.c.id == message_id, rows.c.sent_at.is_(None), rows.c.next_attempt_at <= now)
        .values(next_attempt_at=now + CLAIM_LEASE)
    )
    return bool(ctx.db.write(lambda session: session.connection().execute(statement).rowcount))


def _email(ctx: ServerContext, row: MailMessage) -> EmailMessage:
    message = EmailMessage()
    message["From"] = ctx.settings.mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    message["Message-ID"] = make_msgid(idstring=f"bilan-clas-{row.id}")
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body)
    message["Content-Language"] = "fr"  # after set_content, which replaces every Content-* header
    return message


def _outcome(ctx: ServerContext, message_id: int | None, error: str | None) -> None:
    now = ctx.now()

    def work(session: Session) -> None:
        row = session.get(MailMessage, message_id)
        if row is None or row.sent_at is not None:
            return
        if error is None:
            row.sent_at, row.last_error = now, None
        else:
            row.attempts += 1
            row.last_error = error
            row.next_attempt_at = now + backoff(ctx, row.attempts)
        session.add(row)

    ctx.db.write(work)


class MailSender:
    """The background sender of `serve`: a daemon thread that wakes every `poll` seconds (or on `wake()`)."""

    def __init__(self, ctx: ServerContext, target: SmtpTarget, poll: float = 5.0) -> None:
        self.ctx = ctx
        self.target = target
        self.poll = poll
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bilan-clas-mail", daemon=True)

    def start(self) -> MailSender:
        log.info("e-mail: sending through %s", self.target.safe())
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                queue_digests(self.ctx)
                send_due(self.ctx, self.target)
            except Exception:  # the sender must outlive a database hiccup; the messages stay queued
                log.exception("e-mail: pass failed, will try again")
            self._wake.wait(self.poll)
            self._wake.clear()


def start_sender(ctx: ServerContext) -> MailSender | None:
    """The sender when an SMTP server is configured; otherwise None, said once in the log."""
    if not ctx.settings.smtp_url:
        log.info("e-mail: no SMTP server configured (--smtp-url or BILAN_CLAS_SMTP_URL): no e-mail will be sent")
        return None
    return MailSender(ctx, SmtpTarget.parse(ctx.settings.smtp_url), ctx.settings.mail_poll).start()


def listing(ctx: ServerContext, pending_only: bool = False) -> list[MailMessage]:
    with ctx.db.read() as session:
        query = select(MailMessage).order_by(col(MailMessage.id))
        if pending_only:
            query = query.where(col(MailMessage.sent_at).is_(None))
        return list(session.exec(query).all())
