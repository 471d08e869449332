"""PUT /questionnaires/{qid}/attachments/{sha256}: content-addressed, idempotent, bounded; then referenced."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator

import pytest
import requests

from sync import protocol as p
from tests.forms.sample_answers import DOCUMENT, DOCUMENT_BYTES, complete_answers
from tests.server.conftest import Client, Server, problem, version_body


def upload(
    client: Client, qid: uuid.UUID, data: bytes, media_type: str = "application/pdf", sha256: str | None = None
) -> requests.Response:
    digest = sha256 or hashlib.sha256(data).hexdigest()
    return client.put(f"/questionnaires/{qid}/attachments/{digest}", data=data, headers={"Content-Type": media_type})


def test_upload_then_replay_then_reference(server: Server) -> None:
    partner = server.partner()
    qid = uuid.uuid4()
    first = upload(partner, qid, DOCUMENT_BYTES)
    assert first.status_code == 201, first.text
    stored = p.AttachmentStored.model_validate_json(first.content)
    assert (stored.sha256, stored.size, stored.media_type) == (
        DOCUMENT["sha256"],
        len(DOCUMENT_BYTES),
        "application/pdf",
    )
    again = upload(partner, qid, DOCUMENT_BYTES)
    assert again.status_code == 200
    assert again.json() == first.json()
    # A version naming it (as a file answer and in the attachments list) is accepted.
    ref = p.AttachmentRef.model_validate(DOCUMENT)
    qid_, vid = qid, uuid.uuid4()
    response = partner.put_version(qid_, vid, version_body(complete_answers(with_document=True), attachments=[ref]))
    assert response.status_code == 201, response.text
    # The partner and the Caf can read it back.
    back = partner.get(f"/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}")
    assert back.status_code == 200
    assert back.content == DOCUMENT_BYTES
    assert back.headers["content-type"] == "application/pdf"
    reviewer = server.reviewer()
    assert reviewer.get(f"/review/questionnaires/{qid}/attachments/{DOCUMENT['sha256']}").content == DOCUMENT_BYTES


def test_version_naming_a_document_not_uploaded(server: Server) -> None:
    partner = server.partner()
    qid = uuid.uuid4()
    refused = problem(
        partner.put_version(qid, uuid.uuid4(), version_body(complete_answers(with_document=True))),
        422,
        p.ATTACHMENT_MISSING,
    )
    assert [e.field_path for e in refused.errors or []] == ["document_complementaire"]
    ref = p.AttachmentRef(name="annexe.png", sha256="a" * 64, size=10, media_type="image/png")
    refused = problem(
        partner.put_version(qid, uuid.uuid4(), version_body(attachments=[ref])), 422, p.ATTACHMENT_MISSING
    )
    assert [e.field_path for e in refused.errors or []] == ["attachments.0"]
    # Uploaded for another questionnaire does not count.
    assert upload(partner, uuid.uuid4(), DOCUMENT_BYTES).status_code == 201
    problem(
        partner.put_version(qid, uuid.uuid4(), version_body(complete_answers(with_document=True))),
        422,
        p.ATTACHMENT_MISSING,
    )


def test_hash_mismatch(server: Server) -> None:
    partner = server.partner()
    problem(upload(partner, uuid.uuid4(), DOCUMENT_BYTES, sha256="b" * 64), 422, p.PAYLOAD_HASH_MISMATCH)
    problem(upload(partner, uuid.uuid4(), DOCUMENT_BYTES, sha256="NOT-A-HASH"), 422, p.VALIDATION)


@pytest.mark.parametrize("media_type", ["text/html", "application/zip", "", "application/x-msdownload"])
def test_media_type_outside_the_allow_list(server: Server, media_type: str) -> None:
    partner = server.partner()
    problem(upload(partner, uuid.uuid4(), b"<html></html>", media_type=media_type), 415, p.UNSUPPORTED_MEDIA_TYPE)


@pytest.mark.parametrize("media_type", sorted(p.ALLOWED_MEDIA_TYPES))
def test_every_allowed_media_type(server: Server, media_type: str) -> None:
    partner = server.partner()
    assert (
        upload(partner, uuid.uuid4(), b"contenu " + media_type.encode(), media_type=media_type + "; x=y").status_code
        == 201
    )


def test_too_large(server: Server) -> None:
    partner = server.partner()
    limit = server.ctx.settings.max_attachment_bytes
    big = b"\0" * (limit + 1)
    problem(upload(partner, uuid.uuid4(), big), 413, p.ATTACHMENT_TOO_LARGE)

    def chunked() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        for _ in range(11):
            yield b"\0" * (1024 * 1024)

    digest = "c" * 64
    response = partner.put(
        f"/questionnaires/{uuid.uuid4()}/attachments/{digest}",
        data=chunked(),
        headers={"Content-Type": "application/pdf"},
    )
    problem(response, 413, p.ATTACHMENT_TOO_LARGE)
    exact = b"\1" * limit
    assert upload(partner, uuid.uuid4(), exact).status_code == 201


def test_json_bodies_have_their_own_limit(server: Server) -> None:
    partner = server.partner()
    huge = {"items": [], "padding": "x" * (server.ctx.settings.max_body_bytes + 10)}
    problem(partner.post("/sync/push", json=huge), 413, p.PAYLOAD_TOO_LARGE)
