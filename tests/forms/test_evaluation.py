"""Page progress, the list of what blocks transmission, and the complete sample answers, on real definitions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forms.definition import FormDefinition, load_definition, parse_definition
from forms.evaluation import INVALID, REQUIRED, Progress, evaluate, transmitted_answers
from forms.validators import check
from tests.forms import sample_answers
from tests.forms.conftest import OFFICIAL_PATH
from tests.forms.sample_answers import complete_answers


def states(definition: FormDefinition, answers: dict[str, Any]) -> dict[str, str]:
    return {p.page_id: p.state.value for p in evaluate(definition, answers).pages}


# --- the sample answers --------------------------------------------------------------------------


@pytest.mark.parametrize("with_document", [False, True])
def test_complete_sample_is_transmittable(official: FormDefinition, with_document: bool) -> None:
    answers = complete_answers(with_document=with_document)
    evaluation = evaluate(official, answers)
    assert evaluation.issues == ()  # no error and no advice either
    assert evaluation.transmittable
    assert {p.state for p in evaluation.pages} == {Progress.COMPLETE}
    # Every answer is visible and already canonical: the transmitted version is the answers as given.
    assert transmitted_answers(official, answers) == answers


def test_complete_sample_is_realistic(official: FormDefinition) -> None:
    answers = complete_answers()
    assert sample_answers.SIRET.startswith(sample_answers.SIREN)
    assert any(ch in answers["nom_structure"] + answers["bilan_qualitatif"] for ch in "éèàçôÉ")
    assert set(answers) <= {q.id for q in official.questions()}
    for q in official.questions():
        if q.id in answers:
            assert check(q, answers[q.id]) is None, q.id
    # Fresh copies: a test changing its answers cannot leak into another.
    answers["nom_structure"] = "modifié"
    answers["ages"].append("ages_16_18")
    assert complete_answers()["nom_structure"] != "modifié"
    assert complete_answers()["ages"] == ["ages_6_10", "ages_11_15"]


def test_structure_profile_is_the_fiche_structure(official: FormDefinition) -> None:
    structure = {q.id for q in official.part_questions("structure")}
    assert set(sample_answers.structure_profile()) <= structure


# --- page progress -------------------------------------------------------------------------------


def test_nothing_answered_means_not_started(official: FormDefinition) -> None:
    evaluation = evaluate(official, {})
    # The auto-diagnostic page asks nothing required (scope local): nothing is missing there.
    local = [p.id for p in official.pages if all(q.local for q in p.questions)]
    assert local == ["auto_diagnostic"]
    assert evaluation.page("auto_diagnostic").state == Progress.COMPLETE
    pages = [p for p in evaluation.pages if p.page_id not in local]
    assert [p.state for p in pages] == [Progress.NOT_STARTED] * (len(official.pages) - 1)
    first = evaluation.pages[0]
    assert (first.answered, first.errors) == (0, 0)
    assert first.required_missing == first.visible - 1 == 7  # statut_autre is hidden; numero_sias is the Caf's


def test_one_answer_makes_its_page_partial(official: FormDefinition) -> None:
    found = states(official, {"nom_structure": "Réussir Ensemble"})
    assert found.pop("auto_diagnostic") == "complete"  # nothing required there (scope local)
    assert found["identification_structure"] == "partial"
    assert set(found.values()) == {"partial", "not_started"}
    assert list(found.values()).count("partial") == 1


def test_each_page_complete_on_its_own(official: FormDefinition) -> None:
    answers = complete_answers()
    for page in official.pages:
        only_this_page = {q.id: answers[q.id] for q in page.questions if q.id in answers}
        found = states(official, only_this_page)
        assert found.pop(page.id) == "complete", page.id
        found.pop("auto_diagnostic", None)  # nothing required there (scope local): always complete
        assert set(found.values()) == {"not_started"}, page.id


def test_one_missing_answer_makes_only_its_page_partial(official: FormDefinition) -> None:
    for question_id in ("nom_structure", "code_insee", "situations", "total_presences", "bilan_qualitatif"):
        answers = complete_answers()
        del answers[question_id]
        evaluation = evaluate(official, answers)
        page = official.page_of(question_id).id
        assert {p.page_id: p.state.value for p in evaluation.pages if p.state != Progress.COMPLETE} == {
            page: "partial"
        }, question_id
        assert evaluation.page(page).required_missing == 1


def test_an_invalid_answer_keeps_its_page_partial(official: FormDefinition) -> None:
    answers = complete_answers()
    answers["code_postal"] = "7300"
    progress = evaluate(official, answers).page("localisation_action")
    assert (progress.state, progress.required_missing, progress.errors) == (Progress.PARTIAL, 0, 1)


def test_a_rule_error_keeps_its_page_partial_but_advice_does_not(official: FormDefinition) -> None:
    answers = complete_answers()
    answers["nb_familles"] = 31  # more families than children: error
    assert evaluate(official, answers).page("donnees_activite").state == Progress.PARTIAL
    answers = complete_answers()
    answers["semaines_janv_aout"] = 5  # fewer than 27 weeks: advice
    evaluation = evaluate(official, answers)
    assert evaluation.advice
    assert evaluation.page("donnees_activite").state == Progress.COMPLETE


def test_a_half_filled_matrix_is_partial(official: FormDefinition) -> None:
    answers = complete_answers()
    answers["activites"] = {"aide_methodologique": "chaque_seance"}
    evaluation = evaluate(official, answers)
    assert evaluation.page("activites_proposees").state == Progress.PARTIAL
    assert [i.message for i in evaluation.issues_for("activites")] == [
        "Répondez pour chaque ligne du tableau (1 sur 9 renseignées). Il manque : «\u00a0Une aide au travail "
        "personnel\u00a0», «\u00a0Un accompagnement à l'usage du numérique\u00a0» et 6 autres."
    ]


def test_only_visible_questions_count(official: FormDefinition) -> None:
    answers = complete_answers()
    bonus = evaluate(official, answers).page("bonus")
    # bonus_parents_criteres and nb_collectifs_bonus_parents hidden
    assert (bonus.visible, bonus.answered) == (4, 4)
    answers["bonus_parents"] = True
    bonus = evaluate(official, answers).page("bonus")
    # the criteria are optional (not an official question); the AFAS number of collectifs is required
    assert (bonus.state, bonus.visible, bonus.answered, bonus.required_missing) == (Progress.PARTIAL, 6, 4, 1)


def test_optional_questions_do_not_hold_a_page_back(essai: FormDefinition) -> None:
    answers = {"q_integer": 30, "q_integer_part": 12, "q_decimal": 1.5}  # q_file is optional
    progress = evaluate(essai, answers).page("p_chiffres")
    assert (progress.state, progress.answered, progress.visible) == (Progress.COMPLETE, 3, 4)


def test_progress_labels_are_french() -> None:
    assert [p.label for p in Progress] == ["Non commencée", "Incomplète", "Complète"]


# --- what blocks transmission --------------------------------------------------------------------


def test_blocking_lists_every_required_question_in_order(official: FormDefinition) -> None:
    evaluation = evaluate(official, {})
    assert not evaluation.transmittable
    required_visible = [q.id for q in official.questions() if q.required and q.visible_if is None]
    assert [(i.question_id, i.code) for i in evaluation.blocking] == [(q, REQUIRED) for q in required_visible]
    assert all(i.message == "Réponse obligatoire." for i in evaluation.blocking)
    assert all(i.page_id == official.page_of(i.question_id).id for i in evaluation.blocking)


def test_blocking_lists_missing_invalid_and_rule_errors_in_questionnaire_order(official: FormDefinition) -> None:
    answers = complete_answers()
    del answers["bilan_qualitatif"]
    del answers["nom_caf"]
    answers.update(
        email="contact@@exemple.fr",
        siren="356000000",  # valid, but not the SIRET's
        code_insee="20004",
        nb_familles=31,
        bonus_enfants_criteres=["inconnu"],
        semaines_janv_aout=5,  # advice only: listed in issues, not in blocking
    )
    evaluation = evaluate(official, answers)
    assert [(i.question_id, i.code) for i in evaluation.blocking] == [
        ("nom_caf", REQUIRED),
        ("email", INVALID),
        ("siren", "siren_du_siret"),
        ("code_insee", INVALID),
        ("nb_familles", "familles_au_plus_enfants"),
        ("bilan_qualitatif", REQUIRED),
        ("bonus_enfants_criteres", INVALID),
    ]
    assert [(i.question_id, i.code) for i in evaluation.advice] == [("semaines_janv_aout", "semaines_minimum_27")]
    assert not evaluation.transmittable


def _rule(rule_id: str, target: str, op: str, right: dict[str, Any], severity: str) -> dict[str, Any]:
    return {"kind": "compare", "id": rule_id, "left": {"question": target}, "op": op, "right": right,
            "target": target, "message": rule_id, "severity": severity}  # fmt: skip


def test_errors_come_before_advice_on_the_same_question() -> None:
    definition = parse_definition(
        {
            "id": "ordre",
            "version": 1,
            "title": "Ordre des points",
            "campaign": {"school_year": "2025-2026", "opens": "2026-09-01", "closes": "2026-10-31"},
            "pages": [
                {
                    "id": "p",
                    "title": "Page",
                    "part": "action",
                    "questions": [
                        {"id": "a", "type": "integer", "label": "A"},
                        {"id": "b", "type": "integer", "label": "B"},
                    ],
                }
            ],
            "rules": [  # advice declared first, on the later question, then on the same one as the error
                _rule("conseil_b", "b", ">=", {"value": 10}, "advice"),
                _rule("conseil_a", "a", ">=", {"value": 10}, "advice"),
                _rule("erreur_a", "a", "<=", {"question": "b"}, "error"),
            ],
        }
    )
    found = [(i.question_id, i.code) for i in evaluate(definition, {"a": 5, "b": 1}).issues]
    assert found == [("a", "erreur_a"), ("a", "conseil_a"), ("b", "conseil_b")]


def test_blank_answers_count_as_missing(official: FormDefinition) -> None:
    answers = complete_answers()
    answers.update(nom_structure="   ", ages=[], situations={})
    assert [(i.question_id, i.code) for i in evaluate(official, answers).blocking] == [
        ("nom_structure", REQUIRED),
        ("ages", REQUIRED),
        ("situations", REQUIRED),
    ]


def test_false_and_zero_are_answers(official: FormDefinition) -> None:
    answers = complete_answers()
    answers.update(qpv=False, contractualisation=False, nb_enfants_college=0, nb_enfants_elementaire=30)
    answers.update(ages=["ages_6_10"])
    assert evaluate(official, answers).transmittable


def test_essai_v1_and_v2_evaluate_the_same_answers(essai: FormDefinition, essai_v2: FormDefinition) -> None:
    answers = {"q_text": "Réussir Ensemble", "q_integer": 3}
    v1, v2 = evaluate(essai, answers), evaluate(essai_v2, answers)
    assert [i.question_id for i in v1.blocking] == [i.question_id for i in v2.blocking]
    assert "q_text_added" in v2.visible
    assert "q_text_added" not in v1.visible


# --- property: evaluation never crashes ----------------------------------------------------------

_OFFICIAL = load_definition(OFFICIAL_PATH)
_OFFICIAL_IDS = [q.id for q in _OFFICIAL.questions()]
_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=8)
    | st.sampled_from([10**400, "ages_6_10"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    overrides=st.dictionaries(st.sampled_from(_OFFICIAL_IDS), _VALUES, max_size=8),
    dropped=st.sets(st.sampled_from(_OFFICIAL_IDS), max_size=6),
)
def test_evaluation_never_raises(overrides: dict[str, Any], dropped: set[str]) -> None:
    """Any answer set (the complete sample with some answers dropped or replaced by anything)."""
    definition = _OFFICIAL
    answers = {k: v for k, v in complete_answers().items() if k not in dropped}
    answers.update(overrides)
    evaluation = evaluate(definition, answers)
    assert evaluation.transmittable == (not evaluation.blocking)
    assert len(evaluation.pages) == len(definition.pages)
    transmitted = transmitted_answers(definition, answers)
    assert set(transmitted) <= evaluation.visible
