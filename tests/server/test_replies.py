"""The partner's replies to the Caf's notices over HTTP: idempotent on the client-made id, scoped,
in the feed only for clients that accept `notice.reply`, and listed to the reviewer."""

from __future__ import annotations

import uuid

import pytest

from sync import protocol as p
from sync.server.cli import main as server_main
from sync.server.replies import replies_for
from tests.server.conftest import Client, Server, problem


def _notice(reviewer: Client, qid: uuid.UUID, message: str = "Le nombre de familles semble faible.") -> uuid.UUID:
    body = {"question_id": "nb_familles", "message": message}
    response = reviewer.post(f"/review/questionnaires/{qid}/notices", json=body)
    assert response.status_code == 201, response.text
    return p.NoticeView.model_validate_json(response.content).notice_id


def _reply(partner: Client, qid: uuid.UUID, nid: uuid.UUID, rid: uuid.UUID, message: str):  # type: ignore[no-untyped-def]
    return partner.post(f"/questionnaires/{qid}/notices/{nid}/replies/{rid}", json={"message": message})


def test_a_reply_is_recorded_once_and_replayed_forever(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, _ = partner.transmit()
    nid = _notice(reviewer, qid)
    rid = uuid.uuid4()
    text = "Nous avons accueilli 26 familles : le chiffre est corrigé. <b>Merci</b>."

    first = _reply(partner, qid, nid, rid, text)
    assert first.status_code == 201, first.text
    created = p.ReplyView.model_validate_json(first.content)
    assert (created.reply_id, created.notice_id, created.message, created.author) == (rid, nid, text, partner.email)
    for _ in range(3):
        again = _reply(partner, qid, nid, rid, text)
        assert again.status_code == 200, again.text
        assert again.headers[p.REPLAYED_HEADER] == "true"
        assert p.ReplyView.model_validate_json(again.content) == created

    problem(_reply(partner, qid, nid, rid, "Un autre message"), 422, p.IDEMPOTENCY_MISMATCH)
    with server.ctx.db.read() as session:
        assert replies_for(session, qid) == {nid: [created]}

    detail = p.ReviewDetail.model_validate_json(reviewer.get(f"/review/questionnaires/{qid}").content)
    assert detail.replies == [created]
    assert [e.action for e in detail.audit].count("reply") == 1


def test_the_feed_carries_replies_only_to_clients_that_accept_them(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, _ = partner.transmit()
    nid = _notice(reviewer, qid)
    rid = uuid.uuid4()
    assert _reply(partner, qid, nid, rid, "Chiffre corrigé.").status_code == 201
    reviewer.post(f"/review/questionnaires/{qid}/return")

    old = partner.all_changes()[0]  # an older client: no `accept`
    assert [c.type for c in old] == [
        "questionnaire.version", "questionnaire.state", "notice.created", "questionnaire.state"
    ]  # fmt: skip
    response = partner.get("/changes", params={"accept": p.NOTICE_REPLY})
    new = p.ChangesPage.model_validate_json(response.content).changes
    assert [c.type for c in new] == [
        "questionnaire.version", "questionnaire.state", "notice.created", "notice.reply", "questionnaire.state"
    ]  # fmt: skip
    reply = new[3].parsed()
    assert isinstance(reply, p.ReplyView)
    assert reply.reply_id == rid
    # An unknown kind in `accept` is ignored, never an error.
    assert partner.get("/changes", params={"accept": "something.else"}).status_code == 200


def test_replies_are_scoped_and_follow_the_lifecycle(server: Server) -> None:
    partner, reviewer, stranger = server.partner(), server.reviewer(), server.partner()
    qid, _ = partner.transmit()
    nid = _notice(reviewer, qid)
    problem(_reply(stranger, qid, nid, uuid.uuid4(), "Je ne suis pas concerné."), 404, p.NOT_FOUND)
    problem(_reply(partner, qid, uuid.uuid4(), uuid.uuid4(), "Notice inconnue."), 404, p.NOT_FOUND)
    other_qid, _ = partner.transmit()
    problem(_reply(partner, other_qid, nid, uuid.uuid4(), "Mauvais questionnaire."), 404, p.NOT_FOUND)
    problem(_reply(partner, qid, nid, uuid.uuid4(), "   "), 422, p.VALIDATION)
    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{qid}/validate").status_code == 200
    problem(_reply(partner, qid, nid, uuid.uuid4(), "Trop tard."), 409, p.NOT_EDITABLE)
    with server.ctx.db.read() as session:
        assert replies_for(session, qid) == {}


def test_review_show_prints_the_replies_under_their_notice(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, _ = partner.transmit()
    nid = _notice(reviewer, qid)
    assert _reply(partner, qid, nid, uuid.uuid4(), "Chiffre corrigé : 26 familles.").status_code == 201
    url = server.ctx.settings.database_url
    assert server_main(["review", "show", str(qid), "--database-url", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    notice_line = next(n for n, line in enumerate(lines) if "Le nombre de familles semble faible." in line)
    assert "↳ réponse du " in lines[notice_line + 1]
    assert f"({partner.email}) : Chiffre corrigé : 26 familles." in lines[notice_line + 1]
