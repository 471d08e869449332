"""Scope: a partner never reaches another partner's questionnaire, a reviewer never another Caf's.

Out of scope is 404 on every endpoint, never 403, so that existence does not leak; 403 is only for
a role calling the other role's endpoints, and 401 for a missing or bad token.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import pytest
import requests

from sync import protocol as p
from tests.forms.sample_answers import DOCUMENT_BYTES
from tests.server.conftest import Client, Server, problem, version_body

DOC_SHA = hashlib.sha256(DOCUMENT_BYTES).hexdigest()


@dataclass
class World:
    owner: Client  # partner of Caf 73 holding `qid`
    other_partner: Client  # partner of the same Caf
    own_reviewer: Client  # Caf 73
    other_reviewer: Client  # Caf 74
    qid: uuid.UUID
    vid: uuid.UUID


@pytest.fixture(scope="module")
def world(server: Server) -> World:
    owner = server.partner(caf="73")
    qid = uuid.uuid4()
    assert (
        owner.put(
            f"/questionnaires/{qid}/attachments/{DOC_SHA}",
            data=DOCUMENT_BYTES,
            headers={"Content-Type": "application/pdf"},
        ).status_code
        == 201
    )
    _, vid = owner.transmit(qid=qid)
    return World(owner, server.partner(caf="73"), server.reviewer(caf="73"), server.reviewer(caf="74"), qid, vid)


def _partner_calls(w: World, client: Client) -> dict[str, requests.Response]:
    body = version_body(base=w.vid).model_dump(mode="json")
    return {
        "GET questionnaire": client.get(f"/questionnaires/{w.qid}"),
        "PUT version": client.put(f"/questionnaires/{w.qid}/versions/{uuid.uuid4()}", json=body),
        "PUT attachment": client.put(
            f"/questionnaires/{w.qid}/attachments/{DOC_SHA}",
            data=DOCUMENT_BYTES,
            headers={"Content-Type": "application/pdf"},
        ),
        "GET attachment": client.get(f"/questionnaires/{w.qid}/attachments/{DOC_SHA}"),
    }


def _review_calls(w: World, client: Client) -> dict[str, requests.Response]:
    base = f"/review/questionnaires/{w.qid}"
    body = version_body(base=w.vid).model_dump(mode="json")
    return {
        "GET review questionnaire": client.get(base),
        "POST notice": client.post(f"{base}/notices", json={"message": "Bonjour"}),
        "PUT review version": client.put(f"{base}/versions/{uuid.uuid4()}", json=body),
        "POST return": client.post(f"{base}/return"),
        "POST validate": client.post(f"{base}/validate"),
        "GET review attachment": client.get(f"{base}/attachments/{DOC_SHA}"),
    }


PARTNER_CALLS = ["GET questionnaire", "PUT version", "PUT attachment", "GET attachment"]
REVIEW_CALLS = [
    "GET review questionnaire",
    "POST notice",
    "PUT review version",
    "POST return",
    "POST validate",
    "GET review attachment",
]


@pytest.mark.parametrize("call", ["GET questionnaire", "GET attachment"])
def test_another_partner_gets_404(world: World, call: str) -> None:
    problem(_partner_calls(world, world.other_partner)[call], 404, p.NOT_FOUND)


@pytest.mark.parametrize("call", ["PUT version", "PUT attachment"])
def test_another_partner_writing_under_the_id_gets_id_taken(world: World, call: str) -> None:
    """A clear code, so that its client gives its questionnaire a new id instead of being stuck."""
    problem(_partner_calls(world, world.other_partner)[call], 409, p.ID_TAKEN)


@pytest.mark.parametrize("call", REVIEW_CALLS)
def test_a_reviewer_of_another_caf_gets_404(world: World, call: str) -> None:
    problem(_review_calls(world, world.other_reviewer)[call], 404, p.NOT_FOUND)


@pytest.mark.parametrize("call", REVIEW_CALLS)
def test_a_partner_on_review_endpoints_gets_403(world: World, call: str) -> None:
    problem(_review_calls(world, world.owner)[call], 403, p.FORBIDDEN)


@pytest.mark.parametrize("call", PARTNER_CALLS)
def test_a_reviewer_on_partner_endpoints_gets_403(world: World, call: str) -> None:
    problem(_partner_calls(world, world.own_reviewer)[call], 403, p.FORBIDDEN)


@pytest.mark.parametrize("token", [None, "jeton-inconnu-0123456789", "Basic"])
def test_no_valid_token_gets_401_everywhere(server: Server, world: World, token: str | None) -> None:
    anonymous = server.anonymous()
    if token == "Basic":
        anonymous.session.headers["Authorization"] = "Basic dXNlcjpwYXNz"
    elif token:
        anonymous.session.headers["Authorization"] = f"Bearer {token}"
    calls = {**_partner_calls(world, anonymous), **_review_calls(world, anonymous)}
    calls["GET changes"] = anonymous.get("/changes")
    calls["GET review list"] = anonymous.get("/review/questionnaires")
    calls["POST push"] = anonymous.post("/sync/push", json={"items": []})
    for name, response in calls.items():
        assert response.status_code == 401, name
        problem(response, 401, p.UNAUTHORIZED)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_push_items_out_of_scope_are_id_taken_each(world: World) -> None:
    body = version_body(base=world.vid).model_dump(mode="json")
    item = {"questionnaire_id": str(world.qid), "version_id": str(uuid.uuid4()), "body": body}
    result = p.PushResult.model_validate_json(world.other_partner.post("/sync/push", json={"items": [item]}).content)
    assert [(r.status, getattr(r.body, "code", None)) for r in result.results] == [(409, p.ID_TAKEN)]
    # Replaying the owner's own version id from another account does not replay the owner's answer.
    replay = {
        "questionnaire_id": str(world.qid),
        "version_id": str(world.vid),
        "body": version_body().model_dump(mode="json"),
    }
    result = p.PushResult.model_validate_json(world.other_partner.post("/sync/push", json={"items": [replay]}).content)
    assert [r.status for r in result.results] == [409]


def test_feeds_and_lists_are_scoped(world: World) -> None:
    other_changes, _ = world.other_partner.all_changes()
    assert world.qid not in {c.questionnaire_id for c in other_changes}
    owner_changes, owner_cursor = world.owner.all_changes()
    assert world.qid in {c.questionnaire_id for c in owner_changes}
    # A cursor is bound to its organisation.
    problem(world.other_partner.get("/changes", params={"since": owner_cursor}), 400, p.CURSOR_INVALID)
    listed = p.ReviewList.model_validate_json(world.other_reviewer.get("/review/questionnaires").content)
    assert world.qid not in {s.questionnaire_id for s in listed.questionnaires}
    listed = p.ReviewList.model_validate_json(world.own_reviewer.get("/review/questionnaires").content)
    assert world.qid in {s.questionnaire_id for s in listed.questionnaires}
    # Nothing above changed the owner's questionnaire.
    view = p.QuestionnaireView.model_validate_json(world.owner.get(f"/questionnaires/{world.qid}").content)
    assert (view.state, view.server_rev, view.notices) == ("transmis", 1, [])
