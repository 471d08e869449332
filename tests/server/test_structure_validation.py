"""« Valider la fiche Structure » first (seed 001 §2.1–2.2): then its answers are locked in every action of
that organisation for the campaign, for the partner and the Caf, and only then may an action be validated."""

from __future__ import annotations

import uuid

from sync import protocol as p
from tests.forms.sample_answers import complete_answers
from tests.server.conftest import Client, Server, problem, version_body

FIRST = "Validez d'abord la fiche Structure de cette structure"


def _state(reviewer: Client, qid: uuid.UUID) -> str:
    detail = p.ReviewDetail.model_validate_json(reviewer.get(f"/review/questionnaires/{qid}").content)
    return detail.summary.state


def test_an_action_is_validated_only_after_its_fiche_structure(server: Server) -> None:
    partner, other, reviewer = server.partner(), server.partner(), server.reviewer()
    q1, _ = partner.transmit()
    q2, _ = partner.transmit()
    q3, _ = other.transmit()
    refused = problem(reviewer.post(f"/review/questionnaires/{q1}/validate"), 409, p.NOT_EDITABLE)
    assert refused.title == FIRST
    assert _state(reviewer, q1) == "transmis"  # nothing changed

    done = reviewer.post(f"/review/questionnaires/{q1}/validate-structure")
    assert done.status_code == 200, done.text
    again = problem(reviewer.post(f"/review/questionnaires/{q2}/validate-structure"), 409, p.STRUCTURE_LOCKED)
    assert again.title == "La fiche Structure de cette structure est déjà validée"
    # Validated once for the organisation: each of its actions may now be validated.
    assert reviewer.post(f"/review/questionnaires/{q1}/validate").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{q2}/validate").status_code == 200
    # Another organisation's fiche Structure is not validated by it.
    assert problem(reviewer.post(f"/review/questionnaires/{q3}/validate"), 409, p.NOT_EDITABLE).title == FIRST
    # Another Caf's reviewer never learns that the questionnaire exists.
    problem(server.reviewer(caf="01").post(f"/review/questionnaires/{q3}/validate-structure"), 404, p.NOT_FOUND)
    detail = p.ReviewDetail.model_validate_json(reviewer.get(f"/review/questionnaires/{q1}").content)
    assert [e.action for e in detail.audit] == ["transmit", "validate_structure", "validate"]


def _changed(**changes: object) -> dict[str, object]:
    return {**complete_answers(), **changes}


def test_locked_structure_answers_refuse_partner_and_caf_versions(server: Server) -> None:
    partner, other, reviewer = server.partner(), server.partner(), server.reviewer()
    q1, v1 = partner.transmit()
    q2, w1 = partner.transmit()
    # Negative control: before the validation, the Caf may change a fiche Structure answer.
    w2 = uuid.uuid4()
    renamed = _changed(nom_structure="Association Réussir Ensemble")
    assert reviewer.put_version(q2, w2, version_body(renamed, base=w1)).status_code == 201
    assert reviewer.post(f"/review/questionnaires/{q1}/validate-structure").status_code == 200
    assert reviewer.post(f"/review/questionnaires/{q2}/return").status_code == 200

    # The partner changes a locked answer of another action of the organisation: refused, PUT and push.
    moved = {**renamed, "email": "autre.adresse@exemple.fr"}
    refused = problem(partner.put_version(q2, uuid.uuid4(), version_body(moved, base=w2)), 409, p.STRUCTURE_LOCKED)
    assert refused.title.startswith("La fiche Structure est validée par la Caf")
    assert [(e.field_path, e.code) for e in refused.errors or []] == [("email", p.STRUCTURE_LOCKED)]
    item = {"questionnaire_id": str(q2), "version_id": str(uuid.uuid4()), "body": version_body(moved, base=w2)}
    item["body"] = item["body"].model_dump(mode="json")  # type: ignore[union-attr]
    pushed = p.PushResult.model_validate_json(partner.post("/sync/push", json={"items": [item]}).content)
    assert pushed.results[0].status == 409
    assert isinstance(pushed.results[0].body, p.Problem)
    assert pushed.results[0].body.code == p.STRUCTURE_LOCKED
    # ... a version that keeps them passes, whatever it changes in the fiche Action.
    partner.transmit({**renamed, "nb_familles": 26}, qid=q2, base=w2)

    # The Caf is bound by it too; its own field (the Sias number) stays its to set.
    problem(reviewer.put_version(q1, uuid.uuid4(), version_body(renamed, base=v1)), 409, p.STRUCTURE_LOCKED)
    assert reviewer.put_version(q1, uuid.uuid4(), version_body(_changed(numero_sias="7300012345"), base=v1)).ok

    # A new action of the organisation starts from the fiche Structure that was validated.
    problem(partner.put_version(uuid.uuid4(), uuid.uuid4(), version_body(renamed)), 409, p.STRUCTURE_LOCKED)
    partner.transmit()
    # Another organisation is not locked.
    q4, x1 = other.transmit()
    other_renamed = _changed(nom_structure="Centre social des Hauts")
    assert reviewer.put_version(q4, uuid.uuid4(), version_body(other_renamed, base=x1)).status_code == 201
    assert _state(reviewer, q2) == "transmis"
