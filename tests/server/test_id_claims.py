"""Questionnaire ids belong to the organisation that first wrote under them (attachment or version);
attachments are read only by their uploader and its Caf; pending uploads expire and have a quota."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from sync import protocol as p
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES, complete_answers
from tests.server.conftest import PASSWORD, Clock, Server, problem, version_body
from tests.server.test_attachments import upload


def test_an_attachment_binds_the_id_to_its_uploader(server: Server) -> None:
    uploader, squatter = server.partner("73"), server.partner("74", "Autre association")
    uploader_caf, squatter_caf = server.reviewer("73"), server.reviewer("74")
    qid = uuid.uuid4()
    assert upload(uploader, qid, DOCUMENT_BYTES).status_code == 201
    # Before any version, another organisation can neither take the id nor read the upload.
    problem(squatter.put_version(qid, uuid.uuid4(), version_body()), 409, p.ID_TAKEN)
    problem(upload(squatter, qid, b"%PDF-1.4 autre"), 409, p.ID_TAKEN)
    problem(squatter.get(f"/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}"), 404, p.NOT_FOUND)
    problem(squatter_caf.get(f"/review/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}"), 404, p.NOT_FOUND)
    # The uploader's Caf can read it; the uploader still transmits under its id.
    assert uploader_caf.get(f"/review/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}").status_code == 200
    ref = p.AttachmentRef.model_validate(DOCUMENT)
    sent = uploader.put_version(
        qid, uuid.uuid4(), version_body(complete_answers(with_document=True), attachments=[ref])
    )
    assert sent.status_code == 201, sent.text
    assert uploader.get(f"/questionnaires/{qid}").status_code == 200
    problem(squatter.get(f"/questionnaires/{qid}"), 404, p.NOT_FOUND)


def test_a_version_binds_the_id_too(server: Server) -> None:
    first, second = server.partner(), server.partner()
    qid, _ = first.transmit()
    problem(second.put_version(qid, uuid.uuid4(), version_body()), 409, p.ID_TAKEN)
    problem(upload(second, qid, DOCUMENT_BYTES), 409, p.ID_TAKEN)


def test_pending_attachments_expire(server: Server, clock: Clock) -> None:
    partner = server.partner()
    qid = uuid.uuid4()
    assert upload(partner, qid, DOCUMENT_BYTES).status_code == 201
    clock.advance(server.ctx.settings.pending_attachment_ttl + dt.timedelta(days=1))
    token = server.anonymous().post("/auth/token", json={"email": partner.email, "password": PASSWORD})
    partner.session.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
    assert upload(partner, uuid.uuid4(), b"%PDF-1.4 declencheur").status_code == 201  # any upload purges
    problem(partner.get(f"/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}"), 404, p.NOT_FOUND)
    # The id stays the partner's.
    problem(upload(server.partner(), qid, DOCUMENT_BYTES), 409, p.ID_TAKEN)


def test_pending_attachments_have_a_quota_per_organisation(server: Server) -> None:
    saved = server.ctx.settings
    server.ctx.settings = dataclasses.replace(saved, pending_attachment_quota_bytes=3000)
    try:
        partner, other = server.partner(), server.partner()
        for index in range(3):
            data = b"%PDF-1.4 " + bytes([index]) * 990
            assert upload(partner, uuid.uuid4(), data).status_code == 201
        refused = upload(partner, uuid.uuid4(), b"%PDF-1.4 " + b"x" * 990)
        problem(refused, 413, p.QUOTA_EXCEEDED)
        assert "en attente" in refused.json()["title"]
        # Another organisation has its own quota.
        assert upload(other, uuid.uuid4(), b"%PDF-1.4 " + b"y" * 990).status_code == 201
    finally:
        server.ctx.settings = saved
