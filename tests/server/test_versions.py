"""PUT /questionnaires/{qid}/versions/{vid}: first delivery, replays, conflicts, locks, validation."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable

import pytest
import requests
from sqlalchemy import event

from forms.payload import payload_sha256
from sync import protocol as p
from sync.server import campaigns
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import Client, Clock, Server, problem, version_body


def test_first_delivery_then_identical_replay(server: Server) -> None:
    partner = server.partner()
    qid, vid = uuid.uuid4(), uuid.uuid4()
    body = version_body()
    first = partner.put_version(qid, vid, body, headers={p.IDEMPOTENCY_KEY_HEADER: str(vid)})
    assert first.status_code == 201, first.text
    assert p.REPLAYED_HEADER not in first.headers
    accepted = p.VersionAccepted.model_validate_json(first.content)
    assert (accepted.questionnaire_id, accepted.version_id, accepted.server_rev, accepted.state) == (
        qid,
        vid,
        1,
        "transmis",
    )
    for _ in range(2):
        replay = partner.put_version(qid, vid, body)
        assert replay.status_code == 200
        assert replay.headers[p.REPLAYED_HEADER] == "true"
        assert replay.json() == first.json()
    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert view.server_rev == 1  # replays created nothing


def test_quoted_idempotency_key_is_accepted_and_another_key_refused(server: Server) -> None:
    partner = server.partner()
    qid, vid = uuid.uuid4(), uuid.uuid4()
    ok = partner.put_version(qid, vid, version_body(), headers={p.IDEMPOTENCY_KEY_HEADER: f'"{vid}"'})
    assert ok.status_code == 201
    other = partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body(), headers={p.IDEMPOTENCY_KEY_HEADER: "x"})
    problem(other, 422, p.IDEMPOTENCY_MISMATCH)


def test_same_version_id_with_another_body_is_refused(server: Server) -> None:
    partner = server.partner()
    qid, vid = partner.transmit()
    changed = complete_answers()
    changed["nb_familles"] = 25
    problem(partner.put_version(qid, vid, version_body(changed)), 422, p.IDEMPOTENCY_MISMATCH)
    # Nor may the same version id be reused for another questionnaire.
    problem(partner.put_version(uuid.uuid4(), vid, version_body()), 422, p.IDEMPOTENCY_MISMATCH)


def test_payload_hash_is_recomputed_by_the_server(server: Server) -> None:
    partner = server.partner()
    data = version_body().model_dump(mode="json")
    data["payload_sha256"] = "0" * 64
    problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), data), 422, p.PAYLOAD_HASH_MISMATCH)
    # The hash is the one forms.payload computes over the body (the client's recipe).
    answers = complete_answers()
    digest = payload_sha256(base_version_id=None, form_id=FORM_ID, form_version=1, answers=answers, attachments=[])
    assert version_body(answers).payload_sha256 == digest


def test_stale_base_returns_the_current_version(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, v1 = partner.transmit()
    # The Caf edits the answers (a server-authored version), then returns the questionnaire.
    edited = complete_answers()
    edited["nb_familles"] = 20
    v2 = uuid.uuid4()
    assert reviewer.put_version(qid, v2, version_body(edited, base=v1)).status_code == 201
    assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200
    # The partner corrects from the version it knew: refused, with what the server holds now.
    mine = complete_answers()
    mine["nb_seances"] = 200
    stale = problem(partner.put_version(qid, uuid.uuid4(), version_body(mine, base=v1)), 409, p.STALE_BASE)
    assert stale.current_version_id == v2
    assert stale.current_server_rev == 2
    assert stale.current_answers == edited
    # After merging onto the current version, it goes through.
    merged = {**edited, "nb_seances": 200}
    assert partner.put_version(qid, uuid.uuid4(), version_body(merged, base=v2)).status_code == 201


def test_base_on_a_questionnaire_the_server_does_not_know(server: Server) -> None:
    partner = server.partner()
    stale = problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body(base=uuid.uuid4())), 409, p.STALE_BASE)
    assert stale.current_version_id is None


def test_transmitted_and_validated_questionnaires_are_not_editable(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, v1 = partner.transmit()
    locked = problem(partner.put_version(qid, uuid.uuid4(), version_body(base=v1)), 409, p.NOT_EDITABLE)
    assert locked.state == "transmis"
    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{qid}/validate").status_code == 200
    locked = problem(partner.put_version(qid, uuid.uuid4(), version_body(base=v1)), 409, p.NOT_EDITABLE)
    assert locked.state == "valide"
    assert "Validé" in locked.title
    # The Caf cannot edit a validated questionnaire either.
    problem(reviewer.put_version(qid, uuid.uuid4(), version_body(base=v1)), 409, p.NOT_EDITABLE)
    # A replay of the first delivery is still answered as such.
    assert partner.put_version(qid, v1, version_body()).status_code == 200


def test_returned_questionnaire_accepts_a_new_version(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, v1 = partner.transmit()
    assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200
    response = partner.put_version(qid, uuid.uuid4(), version_body(base=v1))
    assert response.status_code == 201
    assert p.VersionAccepted.model_validate_json(response.content).server_rev == 2


@pytest.mark.usefixtures("clock")
def test_campaign_closed_then_extended(server: Server, clock: Clock) -> None:
    partner = server.partner()
    today = campaigns.local_today(clock())
    try:
        campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=today - dt.timedelta(days=1))
        closed = problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body()), 409, p.CAMPAIGN_CLOSED)
        assert closed.closes == today - dt.timedelta(days=1)
        assert "close depuis le" in closed.title
        assert "10 septembre 2025" in closed.title
        campaigns.set_window(
            server.ctx, FORM_ID, opens=today + dt.timedelta(days=2), closes=today + dt.timedelta(days=9)
        )
        early = problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body()), 409, p.CAMPAIGN_CLOSED)
        assert "pas encore ouverte" in early.title
        # The last day counts, and moving the clock past it closes the campaign.
        campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=today)
        partner.transmit()
        clock.advance(dt.timedelta(days=1))
        problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body()), 409, p.CAMPAIGN_CLOSED)
    finally:
        campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2030, 12, 31))


def test_the_definition_window_applies_without_an_extension(server: Server) -> None:
    """The official dates (closed 15 October 2025) are what a fresh server enforces."""
    definition = server.ctx.registry.get(FORM_ID)
    assert definition.campaign.closes == dt.date(2025, 10, 15)
    assert campaigns.local_today(dt.datetime(2025, 10, 15, 21, 59, tzinfo=dt.UTC)) == dt.date(2025, 10, 15)
    assert campaigns.local_today(dt.datetime(2025, 10, 15, 22, 1, tzinfo=dt.UTC)) == dt.date(2025, 10, 16)


def test_validation_errors_are_per_question(server: Server) -> None:
    partner = server.partner()
    answers = complete_answers()
    del answers["nom_structure"]
    answers["code_postal"] = "7300"
    answers["nb_familles"] = 31  # more families than children: a blocking cross-field rule
    # (issue 11 made niveaux_au_plus_inscrits advice, so the cross-field error is now the families')
    answers["question_inconnue"] = "x"
    refused = problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body(answers)), 422, p.VALIDATION)
    assert {(e.field_path, e.code) for e in refused.errors or []} == {("question_inconnue", "unknown_question")}
    del answers["question_inconnue"]
    refused = problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body(answers)), 422, p.VALIDATION)
    by_field = {e.field_path: e for e in refused.errors or []}
    assert by_field["nom_structure"].code == "required"
    assert by_field["code_postal"].code == "invalid"
    assert "Code postal" in by_field["code_postal"].message
    assert by_field["nb_familles"].code == "familles_au_plus_enfants"  # the rule's target question
    assert set(by_field) == {"nom_structure", "code_postal", "nb_familles"}


def test_only_the_transmitted_form_of_the_answers_is_accepted(server: Server) -> None:
    partner = server.partner()
    hidden = {**complete_answers(), "statut_autre": "Autre chose"}  # shown only for statut "autre"
    refused = problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body(hidden)), 422, p.VALIDATION)
    assert [(e.field_path, e.code) for e in refused.errors or []] == [("statut_autre", "not_transmitted")]
    spaced = {**complete_answers(), "siret": "732 829 320 00074"}
    refused = problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body(spaced)), 422, p.VALIDATION)
    assert [(e.field_path, e.code) for e in refused.errors or []] == [("siret", "not_canonical")]


def test_unknown_form(server: Server) -> None:
    partner = server.partner()
    body = version_body(form_id="clas-1999-2000")
    problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), body), 422, p.UNKNOWN_FORM)
    body = version_body(form_version=99)
    problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), body), 422, p.UNKNOWN_FORM)


def test_malformed_bodies_are_validation_problems(server: Server) -> None:
    partner = server.partner()
    qid, vid = uuid.uuid4(), uuid.uuid4()
    data = version_body().model_dump(mode="json")
    refused = problem(partner.put_version(qid, vid, {**data, "surprise": 1}), 422, p.VALIDATION)
    assert refused.errors
    assert refused.errors[0].field_path == "surprise"
    problem(
        partner.put(
            f"/questionnaires/{qid}/versions/{vid}", data=b"{not json", headers={"Content-Type": "application/json"}
        ),
        422,
        p.VALIDATION,
    )
    problem(partner.put(f"/questionnaires/not-a-uuid/versions/{vid}", json=data), 422, p.VALIDATION)
    # Python's json accepts NaN, which has no canonical JSON form: refused, not a 500.
    nan = json.dumps(data | {"answers": {"nb_familles": float("nan")}})
    response = partner.put(
        f"/questionnaires/{qid}/versions/{vid}", data=nan, headers={"Content-Type": "application/json"}
    )
    problem(response, 422, p.VALIDATION)


def test_push_batch_one_result_per_item(server: Server) -> None:
    partner = server.partner()
    ok = (uuid.uuid4(), uuid.uuid4(), version_body())
    bad_answers = complete_answers()
    bad_answers["email"] = "pas-une-adresse"
    bad = (uuid.uuid4(), uuid.uuid4(), version_body(bad_answers))
    items = [
        {"questionnaire_id": str(q), "version_id": str(v), "body": b.model_dump(mode="json")} for q, v, b in (ok, bad)
    ]
    response = partner.post("/sync/push", json={"items": items})
    assert response.status_code == 200, response.text
    result = p.PushResult.model_validate_json(response.content)
    assert [r.status for r in result.results] == [201, 422]
    assert isinstance(result.results[0].body, p.VersionAccepted)
    assert isinstance(result.results[1].body, p.Problem)
    assert result.results[1].body.code == p.VALIDATION
    # The same batch again: the accepted item is a replay, the refused one is refused again.
    again = p.PushResult.model_validate_json(partner.post("/sync/push", json={"items": items}).content)
    assert [(r.status, r.replayed) for r in again.results] == [(200, True), (422, False)]
    assert again.results[0].body == result.results[0].body
    # At most 50 items.
    many = [{"questionnaire_id": str(uuid.uuid4()), "version_id": str(uuid.uuid4()), "body": items[0]["body"]}] * 51
    problem(partner.post("/sync/push", json={"items": many}), 422, p.VALIDATION)


def _commits_during(server: Server, call: Callable[[], object]) -> int:
    """How many write transactions the server commits while `call` runs."""
    commits: list[int] = []

    def counted(_connection: object) -> None:
        commits.append(1)

    engine = server.ctx.db.write_engine
    event.listen(engine, "commit", counted)
    try:
        call()
    finally:
        event.remove(engine, "commit", counted)
    return len(commits)


def test_push_batch_commits_once_and_a_refused_item_leaves_nothing(server: Server) -> None:
    """A batch is one transaction (one fsync), each item in its savepoint: a refused item in the middle
    writes nothing (no claim, no feed row), the items around it are kept, and a replay of one of them in
    the same batch is answered as its PUT would be."""
    partner = server.partner()
    _, before = partner.all_changes()
    first, stale, last = (uuid.uuid4(), uuid.uuid4()), (uuid.uuid4(), uuid.uuid4()), (uuid.uuid4(), uuid.uuid4())
    bodies = [
        (first, version_body()),
        (stale, version_body(base=uuid.uuid4())),  # a base the server never had: 409 stale_base
        (last, version_body()),
        (first, version_body()),  # the same version again in the batch: a replay
    ]
    items = [
        {"questionnaire_id": str(q), "version_id": str(v), "body": b.model_dump(mode="json")} for (q, v), b in bodies
    ]
    responses: list[requests.Response] = []
    commits = _commits_during(server, lambda: responses.append(partner.post("/sync/push", json={"items": items})))
    assert responses[0].status_code == 200, responses[0].text
    result = p.PushResult.model_validate_json(responses[0].content)
    assert [(r.status, r.replayed) for r in result.results] == [(201, False), (409, False), (201, False), (200, True)]
    assert commits == 1  # the token's sliding expiry is written at most once an hour
    changes, _ = partner.all_changes(before)
    assert {c.questionnaire_id for c in changes} == {first[0], last[0]}
    assert [c.seq for c in changes] == list(range(changes[0].seq, changes[0].seq + 4))  # no gap left by the refusal
    problem(partner.get(f"/questionnaires/{stale[0]}"), 404, p.NOT_FOUND)
    # Negative control: the same work as single PUTs commits once per version.
    singles = [(uuid.uuid4(), uuid.uuid4()) for _ in range(3)]
    assert _commits_during(server, lambda: [partner.put_version(q, v, version_body()) for q, v in singles]) == 3


def test_concurrent_deliveries_of_one_version_execute_once(server: Server) -> None:
    """The same PUT sent by several connections at once (a retry racing its original): one 201, replays after."""
    partner = server.partner()
    qid, vid, body = uuid.uuid4(), uuid.uuid4(), version_body()
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def send() -> None:
        client = Client(server, partner.email, partner.role, partner.caf, token=partner.token)
        client.session.headers["Authorization"] = f"Bearer {partner.token}"
        barrier.wait()
        statuses.append(client.put_version(qid, vid, body).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] * 7 + [201]
    changes, _ = partner.all_changes()
    assert [c.type for c in changes] == ["questionnaire.version", "questionnaire.state"]


def test_concurrent_first_versions_of_one_questionnaire(server: Server) -> None:
    """Two devices transmit the same new questionnaire at once: one wins, the other learns the base moved."""
    partner = server.partner()
    qid = uuid.uuid4()
    barrier = threading.Barrier(6)
    statuses: list[int] = []

    def send() -> None:
        client = Client(server, partner.email, partner.role, partner.caf, token=partner.token)
        client.session.headers["Authorization"] = f"Bearer {partner.token}"
        barrier.wait()
        statuses.append(client.put_version(qid, uuid.uuid4(), version_body()).status_code)

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 5
    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert view.server_rev == 1
