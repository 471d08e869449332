"""Caf-only answers (filled_by "caf", the Sias number of seed 001 §2.1) and auto-diagnostic answers
(scope "local") on the server: who may set the first, and the second is never kept nor refused."""

from __future__ import annotations

import uuid

from sync import protocol as p
from tests.forms.sample_answers import complete_answers
from tests.server.conftest import Server, problem, version_body

SIAS = "7300012345"


def _detail(server_client: object, qid: uuid.UUID) -> p.ReviewDetail:
    return p.ReviewDetail.model_validate_json(server_client.get(f"/review/questionnaires/{qid}").content)  # type: ignore[attr-defined]


def test_the_caf_sets_the_sias_number_and_the_partner_may_not_change_it(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    # A partner's first version may not carry a Sias number: only the Caf fills it.
    refused = problem(
        partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body({**complete_answers(), "numero_sias": SIAS})),
        422,
        p.VALIDATION,
    )
    assert [(e.field_path, e.code) for e in refused.errors or []] == [("numero_sias", "filled_by_caf")]
    assert "rempli par la Caf" in (refused.errors or [])[0].message

    qid, v1 = partner.transmit()
    with_sias = {**complete_answers(), "numero_sias": SIAS}
    v2 = uuid.uuid4()
    edited = reviewer.put_version(qid, v2, version_body(with_sias, base=v1))
    assert edited.status_code == 201, edited.text  # a Caf-authored version may set it
    assert reviewer.post(f"/review/questionnaires/{qid}/return").status_code == 200

    # The partner changes the Sias number: refused; removes it: refused; keeps it: accepted.
    for answers in ({**with_sias, "numero_sias": "7300099999"}, complete_answers()):
        refused = problem(partner.put_version(qid, uuid.uuid4(), version_body(answers, base=v2)), 422, p.VALIDATION)
        assert [(e.field_path, e.code) for e in refused.errors or []] == [("numero_sias", "filled_by_caf")]
    corrected = {**with_sias, "nb_familles": 26}
    _, v3 = partner.transmit(corrected, qid=qid, base=v2)
    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert (view.current_version_id, view.answers["numero_sias"]) == (v3, SIAS)


def test_the_caf_may_change_the_sias_number_again(server: Server) -> None:
    partner, reviewer = server.partner(), server.reviewer()
    qid, v1 = partner.transmit()
    v2 = uuid.uuid4()
    assert reviewer.put_version(qid, v2, version_body({**complete_answers(), "numero_sias": SIAS}, base=v1)).ok
    v3 = uuid.uuid4()
    assert reviewer.put_version(qid, v3, version_body({**complete_answers(), "numero_sias": "73"}, base=v2)).ok
    assert _detail(reviewer, qid).versions[-1].answers["numero_sias"] == "73"


def test_auto_diagnostic_answers_are_ignored_never_kept_nor_refused(server: Server) -> None:
    partner = server.partner()
    local = {"diag_zone_rurale": True, "diag_intervenants_par_seance": 1, "diag_coordinateur_bac2": False}
    qid, vid = partner.transmit({**complete_answers(), **local})  # accepted: nothing refused about them
    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert view.current_version_id == vid
    assert view.answers == complete_answers()  # ... and none of them kept
    changes, _ = partner.all_changes()
    versions = [c.parsed() for c in changes if c.type == "questionnaire.version"]
    assert all(not set(local) & set(v.answers) for v in versions)  # type: ignore[union-attr]
