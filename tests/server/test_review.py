"""The Caf's review loop over HTTP, and what the partner sees of it (state, notices, feed)."""

from __future__ import annotations

import uuid

from sync import protocol as p
from tests.forms.sample_answers import complete_answers
from tests.server.conftest import Server, problem, version_body


def test_whole_loop_as_the_partner_sees_it(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, v1 = partner.transmit()
    notice = reviewer.post(
        f"/review/questionnaires/{qid}/notices",
        json={"question_id": "nb_familles", "message": "Le nombre de familles <b>semble</b> faible."},
    )
    assert notice.status_code == 201, notice.text
    created = p.NoticeView.model_validate_json(notice.content)
    assert (created.question_id, created.status, created.version_id) == ("nb_familles", "open", v1)
    assert created.message == "Le nombre de familles <b>semble</b> faible."  # plain text, kept as typed
    general = p.NoticeView.model_validate_json(
        reviewer.post(f"/review/questionnaires/{qid}/notices", json={"message": "Merci de préciser le bilan."}).content
    )
    assert general.question_id is None
    returned = reviewer.post(f"/review/questionnaires/{qid}/return")
    assert p.ReviewSummary.model_validate_json(returned.content).state == "a_corriger"

    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert view.state == "a_corriger"
    assert {n.notice_id for n in view.notices} == {created.notice_id, general.notice_id}

    corrected = {**complete_answers(), "nb_familles": 26}
    _, v2 = partner.transmit(corrected, qid=qid, base=v1)
    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert (view.state, view.server_rev, view.current_version_id, view.notices) == ("transmis", 2, v2, [])
    assert view.answers == corrected

    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    validated = reviewer.post(f"/review/questionnaires/{qid}/validate")
    assert p.ReviewSummary.model_validate_json(validated.content).state == "valide"

    changes, _ = partner.all_changes(limit=3)
    kinds = [(c.type, c.data.get("state")) for c in changes]
    assert kinds == [
        ("questionnaire.version", None),
        ("questionnaire.state", "transmis"),
        ("notice.created", None),
        ("notice.created", None),
        ("questionnaire.state", "a_corriger"),
        ("questionnaire.version", None),
        ("questionnaire.state", "transmis"),
        ("notice.resolved", None),
        ("notice.resolved", None),
        ("questionnaire.state", "valide"),
    ]
    for change in changes:  # every data parses strictly in its model
        change.parsed()
    resolved = [c.parsed() for c in changes if c.type == "notice.resolved"]
    assert {r.notice_id for r in resolved} == {created.notice_id, general.notice_id}  # type: ignore[union-attr]
    assert all(r.resolved_by_version_id == v2 for r in resolved)  # type: ignore[union-attr]

    detail = p.ReviewDetail.model_validate_json(reviewer.get(f"/review/questionnaires/{qid}").content)
    assert [v.version_id for v in detail.versions] == [v1, v2]
    assert [n.status for n in detail.notices] == ["resolved", "resolved"]
    assert [(e.action, e.actor) for e in detail.audit] == [
        ("transmit", partner.email),
        ("notice", reviewer.email),
        ("notice", reviewer.email),
        ("return", reviewer.email),
        ("transmit", partner.email),
        ("validate_structure", reviewer.email),
        ("validate", reviewer.email),
    ]


def test_caf_edit_is_a_server_authored_version(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, v1 = partner.transmit()
    _, cursor = partner.all_changes()
    edited = {**complete_answers(), "nb_seances": 210, "total_presences": 1890}
    v2 = uuid.uuid4()
    body = version_body(edited, base=v1)
    first = reviewer.put_version(qid, v2, body)
    assert first.status_code == 201, first.text
    replay = reviewer.put_version(qid, v2, body)
    assert (replay.status_code, replay.headers[p.REPLAYED_HEADER], replay.json()) == (200, "true", first.json())
    problem(reviewer.put_version(qid, uuid.uuid4(), version_body(edited, base=v1)), 409, p.STALE_BASE)
    bad = {**edited, "email": "pas-une-adresse"}
    problem(reviewer.put_version(qid, uuid.uuid4(), version_body(bad, base=v2)), 422, p.VALIDATION)

    changes, _ = partner.all_changes(cursor)
    assert [c.type for c in changes] == ["questionnaire.version"]  # still transmis: no state change
    data = changes[0].parsed()
    assert isinstance(data, p.VersionChangeData)
    assert (data.author_role, data.version_id, data.base_version_id, data.answers) == ("caf", v2, v1, edited)
    detail = p.ReviewDetail.model_validate_json(reviewer.get(f"/review/questionnaires/{qid}").content)
    assert [(v.author_role, v.author) for v in detail.versions] == [("partner", partner.email), ("caf", reviewer.email)]
    assert detail.audit[-1].action == "edit"
    assert detail.audit[-1].detail["changed"] == ["nb_seances", "total_presences"]
    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert (view.author_role, view.server_rev) == ("caf", 2)


def test_list_by_state_within_the_caf(server: Server) -> None:
    caf = f"9{uuid.uuid4().hex[:4]}"
    partner, reviewer = server.partner(caf=caf), server.reviewer(caf=caf)
    q1, _ = partner.transmit()
    q2, _ = partner.transmit()
    reviewer.post(f"/review/questionnaires/{q2}/return")
    everything = p.ReviewList.model_validate_json(reviewer.get("/review/questionnaires").content)
    assert {s.questionnaire_id for s in everything.questionnaires} == {q1, q2}
    assert {s.organisation_email for s in everything.questionnaires} == {partner.email}
    only = p.ReviewList.model_validate_json(
        reviewer.get("/review/questionnaires", params={"state": "a_corriger"}).content
    )
    assert [s.questionnaire_id for s in only.questionnaires] == [q2]
    problem(reviewer.get("/review/questionnaires", params={"state": "brouillon"}), 422, p.VALIDATION)


def test_notice_rules(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, _ = partner.transmit()
    path = f"/review/questionnaires/{qid}/notices"
    unknown = problem(reviewer.post(path, json={"question_id": "pas_une_question", "message": "x"}), 422, p.VALIDATION)
    assert [e.field_path for e in unknown.errors or []] == ["question_id"]
    problem(reviewer.post(path, json={"message": "x" * (p.MAX_NOTICE_CHARS + 1)}), 422, p.VALIDATION)
    problem(reviewer.post(path, json={"message": "   "}), 422, p.VALIDATION)
    problem(reviewer.post(path, json={"message": ""}), 422, p.VALIDATION)
    assert reviewer.post(path, json={"message": "x" * p.MAX_NOTICE_CHARS}).status_code == 201
    # A notice id of the Caf's own makes a retry idempotent.
    notice_id = str(uuid.uuid4())
    first = reviewer.post(path, json={"notice_id": notice_id, "message": "Pièce manquante."})
    again = reviewer.post(path, json={"notice_id": notice_id, "message": "Pièce manquante."})
    assert (first.status_code, again.status_code, again.json()) == (201, 200, first.json())
    problem(reviewer.post(path, json={"notice_id": notice_id, "message": "Autre chose."}), 422, p.IDEMPOTENCY_MISMATCH)
    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    reviewer.post(f"/review/questionnaires/{qid}/validate")
    problem(reviewer.post(path, json={"message": "Trop tard."}), 409, p.NOT_EDITABLE)


def test_state_transitions_only_from_transmitted(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, first = partner.transmit()
    assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200
    assert problem(reviewer.post(f"/review/questionnaires/{qid}/return"), 409, p.NOT_EDITABLE).state == "a_corriger"
    problem(reviewer.post(f"/review/questionnaires/{qid}/validate"), 409, p.NOT_EDITABLE)
    # The Caf may still fix a questionnaire it returned: the edit keeps it « À corriger ».
    edited = reviewer.put_version(qid, uuid.uuid4(), version_body(base=first))
    assert edited.status_code == 201, edited.text
    assert p.VersionAccepted.model_validate_json(edited.content).state == "a_corriger"
    q2, _ = partner.transmit()
    assert reviewer.post(f"/review/questionnaires/{q2}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{q2}/validate").status_code == 200
    assert problem(reviewer.post(f"/review/questionnaires/{q2}/validate"), 409, p.NOT_EDITABLE).state == "valide"
    problem(reviewer.post(f"/review/questionnaires/{q2}/return"), 409, p.NOT_EDITABLE)


def test_a_reviewer_cannot_create_a_questionnaire(server: Server) -> None:
    reviewer = server.reviewer()
    problem(reviewer.put_version(uuid.uuid4(), uuid.uuid4(), version_body()), 404, p.NOT_FOUND)
