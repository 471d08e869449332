"""E-mail through a real SMTP server on 127.0.0.1 (aiosmtpd): the partner hears of its transmission,
of a return (with the Caf's remarks) and of the validation, in French; the Caf gets its daily
digest; a stopped SMTP server blocks no transmission and loses no message (they go out when it is
back), with a negative control; no SMTP configured means no mail, said once in the log."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from sync.server import campaigns, mail
from sync.server.app import create_app
from sync.server.cli import main as server_main
from sync.server.context import ServerContext
from sync.server.models import MailMessage
from sync.server.settings import Settings
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import FAST_HASHER, Clock, Server, version_body
from tests.support.live_server import ThreadedUvicorn

WAIT = 20.0  # seconds at most for the background sender (a safety net; the test waits on an event)


@dataclass
class Inbox:
    """aiosmtpd's handler: every message received, parsed; `arrived` is set on each."""

    messages: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.changed:
            self.messages.append(parsed)  # type: ignore[arg-type]
            self.recipients.append(list(envelope.rcpt_tos))
            self.changed.notify_all()
        return "250 OK"

    def wait_for(self, count: int) -> list[EmailMessage]:
        with self.changed:
            assert self.changed.wait_for(lambda: len(self.messages) >= count, WAIT), self.subjects()
            return list(self.messages)

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]


class Smtp:
    """A real SMTP server on a fixed local port, that can be stopped and started again there."""

    def __init__(self, inbox: Inbox) -> None:
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.inbox = inbox
        self.controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> Smtp:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    server = Smtp(Inbox()).start()
    yield server
    server.stop()


def serve(tmp_path: Path, smtp_url: str | None, **settings: Any) -> tuple[Server, ThreadedUvicorn]:
    clock = Clock()
    ctx = ServerContext.open(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'server.sqlite3'}", clock=clock, smtp_url=smtp_url,
            mail_retry_base=dt.timedelta(minutes=1), **settings,
        ),
        hasher=FAST_HASHER,
    )  # fmt: skip
    campaigns.set_window(ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2099, 12, 31))
    live = ThreadedUvicorn(create_app(ctx=ctx)).start()
    return Server(live.url, ctx, clock), live


@pytest.fixture
def mailing(tmp_path: Path, smtp: Smtp) -> Iterator[tuple[Server, ThreadedUvicorn]]:
    """The server with its background sender, passing every `mail_poll` seconds or when woken."""
    server, live = serve(tmp_path, smtp.url, mail_poll=3600)
    yield server, live
    live.stop()
    server.ctx.close()


def wake(live: ThreadedUvicorn) -> None:
    live.server.config.app.state.mail_sender.wake()  # type: ignore[attr-defined]


def queued(server: Server) -> list[MailMessage]:
    with server.ctx.db.read() as session:
        return list(session.exec(select(MailMessage).order_by(MailMessage.id)).all())  # type: ignore[arg-type]


def test_partners_hear_of_each_step_in_french(mailing: tuple[Server, ThreadedUvicorn], smtp: Smtp) -> None:
    server, live = mailing
    partner, reviewer = server.partner(), server.reviewer()
    qid, v1 = partner.transmit()
    wake(live)
    [transmitted] = smtp.inbox.wait_for(1)
    assert transmitted["To"] == partner.email
    assert transmitted["Subject"].startswith("Bilan Clas : questionnaire transmis — ")
    body = transmitted.get_content()
    assert "a bien été transmis à votre Caf le " in body
    assert str(qid) in body
    assert transmitted["Content-Language"] == "fr"
    assert transmitted.get_content_charset() == "utf-8"

    notice = {"question_id": "nb_familles", "message": "Le nombre de familles semble faible."}
    assert reviewer.post(f"/review/questionnaires/{qid}/notices", json=notice).status_code == 201
    assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200
    wake(live)
    returned = smtp.inbox.wait_for(2)[1]
    assert returned["Subject"].startswith("Bilan Clas : questionnaire à corriger — ")
    assert "Le nombre de familles semble faible." in returned.get_content()
    assert "renvoie pour correction" in returned.get_content()

    partner.transmit({**complete_answers(), "nb_familles": 26}, qid=qid, base=v1)
    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{qid}/validate").status_code == 200
    wake(live)
    messages = smtp.inbox.wait_for(4)
    assert [m["Subject"].split(" — ")[0] for m in messages] == [
        "Bilan Clas : questionnaire transmis",
        "Bilan Clas : questionnaire à corriger",
        "Bilan Clas : questionnaire transmis",
        "Bilan Clas : questionnaire validé par la Caf",
    ]
    assert "Il est désormais définitif." in messages[3].get_content()
    assert smtp.inbox.recipients == [[partner.email]] * 4
    assert [m.kind for m in queued(server)] == ["transmitted", "returned", "transmitted", "validated"]


def test_the_caf_gets_a_daily_digest(mailing: tuple[Server, ThreadedUvicorn], smtp: Smtp) -> None:
    server, live = mailing
    mail.set_caf_email(server.ctx, "73", "Bilan-Clas@caf73.exemple.fr")
    first, second = server.partner(name="Centre social du Biollay"), server.partner(name="Mairie de Cognin")
    first.transmit()
    second.transmit()
    server.partner(caf="38").transmit()  # another Caf's: not in this digest
    assert mail.queue_digests(server.ctx) == 0  # the day is not over
    server.clock.advance(dt.timedelta(days=1, minutes=1))
    assert mail.queue_digests(server.ctx) == 1
    assert mail.queue_digests(server.ctx) == 0  # once a day
    wake(live)
    messages = smtp.inbox.wait_for(4)
    [digest] = [m for m in messages if m["To"] == "bilan-clas@caf73.exemple.fr"]
    assert digest["Subject"] == "Bilan Clas : 2 nouvelles transmissions (Caf 73)"
    text = digest.get_content()
    assert "Centre social du Biollay" in text
    assert "Mairie de Cognin" in text
    assert text.count("\n- ") == 2


def _down_then_up(tmp_path: Path, smtp: Smtp, *, audit: bool = True) -> tuple[int, list[MailMessage]]:
    """Three transmissions while the SMTP server is stopped, then it comes back: what arrives."""
    smtp.stop()
    server, live = serve(tmp_path, smtp.url, mail_poll=3600)
    try:
        partner = server.partner()
        for _ in range(3):
            response = partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body())
            assert response.status_code == 201, response.text  # the mail never blocks a transmission
        target = mail.SmtpTarget.parse(smtp.url)
        for _ in range(4):  # passes while it is away: one attempt each (the rest waits), then backoff
            assert mail.send_due(server.ctx, target)[0] == 0
        if audit:
            assert mail.send_due(server.ctx, target) == (0, 0)  # every message is backing off now
            pending = queued(server)
            assert [r.sent_at for r in pending] == [None] * 3
            assert all(r.attempts >= 1 and r.last_error for r in pending)
        smtp.start()
        server.clock.advance(dt.timedelta(minutes=5))  # past the backoff (1 min, then 2)
        mail.send_due(server.ctx, target)
        return len(smtp.inbox.messages), queued(server)
    finally:
        live.stop()
        server.ctx.close()


def test_a_stopped_smtp_server_loses_no_message(tmp_path: Path, smtp: Smtp) -> None:
    arrived, rows = _down_then_up(tmp_path, smtp)
    assert arrived == 3
    assert all(r.sent_at is not None for r in rows)
    assert all(r.last_error is None for r in rows)


def test_negative_control_without_the_durable_queue_messages_are_lost(
    tmp_path: Path, smtp: Smtp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fire and forget (a failed send counts as done): the same outage loses the message it hit."""
    keep = mail._outcome

    def forget(ctx: ServerContext, message_id: int | None, error: str | None) -> None:
        keep(ctx, message_id, None)

    monkeypatch.setattr(mail, "_outcome", forget)
    arrived, _rows = _down_then_up(tmp_path, smtp, audit=False)
    assert arrived < 3


def test_no_smtp_server_no_mail_said_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bilan_clas.server.mail")
    server, live = serve(tmp_path, None)
    try:
        server.partner().transmit()
        assert queued(server) == []
    finally:
        live.stop()
        server.ctx.close()
    said = [r.getMessage() for r in caplog.records if "no SMTP server configured" in r.getMessage()]
    assert len(said) == 1


def test_cli_caf_set_and_mail_list(tmp_path: Path, smtp: Smtp, capsys: pytest.CaptureFixture[str]) -> None:
    database = f"sqlite:///{tmp_path / 'server.sqlite3'}"
    server, live = serve(tmp_path, smtp.url, mail_poll=3600)
    try:
        server.partner().transmit()
    finally:
        live.stop()
        server.ctx.close()
    assert server_main(["caf", "set", "73", "--email", "relance@caf73.exemple.fr", "--database-url", database]) == 0
    assert "relance@caf73.exemple.fr" in capsys.readouterr().out
    assert server_main(["mail", "list", "--database-url", database]) == 0
    out = capsys.readouterr().out
    assert "transmis" in out
    assert "Bilan Clas : questionnaire transmis" in out
    assert server_main(["mail", "list", "--json", "--database-url", database]) == 0
    assert '"kind": "transmitted"' in capsys.readouterr().out
    assert server_main(["caf", "set", "73", "--email", "pas-une-adresse", "--database-url", database]) == 1
    assert "Adresse électronique invalide" in capsys.readouterr().err
    assert server_main(["serve", "--smtp-url", "ftp://nope", "--database-url", database]) == 1
    assert "Adresse SMTP invalide" in capsys.readouterr().err
