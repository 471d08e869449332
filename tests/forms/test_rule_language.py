"""The declarative rule language: expressions, matrix counts, row conditions, three-valued tests,
templated messages, load errors naming the file, the rule and the fault; and the check that no message
states a figure its rule does not check (with a negative control)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from forms.conditions import truth
from forms.definition import Condition, DefinitionError, Expr, FormDefinition, load_definition, parse_definition
from forms.evaluation import evaluate, transmitted_answers
from forms.expressions import value_of
from forms.rule_model import Rule
from forms.rules import format_number

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = ROOT / "resources" / "forms" / "clas-2024-2025.json"

QUESTIONS = [
    {"id": "a", "type": "integer"},
    {"id": "b", "type": "integer"},
    {"id": "d", "type": "decimal"},
    {"id": "m", "type": "matrix", "rows": [{"id": r, "label": r} for r in ("r1", "r2", "r3")],
     "choices": [{"id": c, "label": c} for c in ("oui", "non")]},
    {"id": "mc", "type": "multiple_choice", "choices": [{"id": c, "label": c} for c in "xyz"]},
    {"id": "loc", "type": "yes_no", "scope": "local"},
]  # fmt: skip


def definition(rules: list[dict[str, Any]], questions: list[dict[str, Any]] | None = None) -> FormDefinition:
    return parse_definition(
        {
            "id": "essai-langage",
            "version": 1,
            "title": "Essai",
            "campaign": {"school_year": "2025-2026", "opens": "2026-09-01", "closes": "2026-10-31"},
            "pages": [
                {"id": "p", "title": "Page", "part": "action",
                 "questions": [{"label": q["id"], **q} for q in (questions or QUESTIONS)]}
            ],
            "rules": rules,
        },
        "essai-langage.json",
    )  # fmt: skip


def expr(spec: dict[str, Any]) -> Expr:
    return Expr.model_validate(spec)


# --- expressions -------------------------------------------------------------------------------


def test_arithmetic_min_max_and_sums() -> None:
    given = {"a": 7, "b": 2, "d": 0.5}
    q = lambda i: {"question": i}  # noqa: E731
    assert value_of(expr({"add": [q("a"), q("b"), {"value": 1}]}), given) == 10
    assert value_of(expr({"sub": [q("a"), q("b")]}), given) == 5
    assert value_of(expr({"mul": [q("a"), q("d")]}), given) == 3.5
    assert value_of(expr({"div": [q("a"), q("b")]}), given) == 3.5
    assert value_of(expr({"min": [q("a"), q("b")]}), given) == 2
    assert value_of(expr({"max": [q("a"), q("b"), {"value": 9}]}), given) == 9
    assert value_of(expr({"sum": ["a", "b"], "times": 2}), given) == 18
    assert value_of(expr({"product": ["a", "b"]}), given) == 14
    assert value_of(expr({"div": [q("a"), {"sub": [q("b"), {"value": 2}]}]}), given) is None  # ÷ 0: no value
    assert value_of(expr({"add": [q("a"), q("missing")]}), given) is None  # an input missing: no value


def test_counts_over_a_matrix_and_a_multiple_choice() -> None:
    given = {"m": {"r1": "oui", "r2": "non", "r3": "oui"}, "mc": ["x", "z"]}
    assert value_of(expr({"count_rows": {"question": "m", "choices": ["oui"]}}), given) == 2
    assert value_of(expr({"count_rows": {"question": "m", "choices": ["oui"], "rows": ["r2"]}}), given) == 0
    assert value_of(expr({"count_choices": {"question": "mc", "among": ["x", "y"]}}), given) == 1
    assert value_of(expr({"count_rows": {"question": "m", "choices": ["oui"], "rows": ["r9"]}}), {"m": {}}) is None


def test_three_valued_tests_decide_only_on_what_is_known() -> None:
    rural = {"question": "loc", "equals": True}
    big = {"compare": {"left": {"question": "a"}, "op": ">=", "right": {"value": 8}}}
    test = Condition.model_validate({"any": [big, {"all": [rural, {"compare": {
        "left": {"question": "a"}, "op": ">=", "right": {"value": 5}}}]}]})  # fmt: skip
    assert truth(test, {"a": 9}) is True  # decided without the rurality
    assert truth(test, {"a": 6}) is None  # the rurality decides: undecided
    assert truth(test, {"a": 6, "loc": False}) is False
    assert truth(test, {"a": 3}) is False  # below 5, whatever the rurality
    row = Condition.model_validate({"question": "m", "row": "r2", "in": ["oui"]})
    assert truth(row, {"m": {"r2": "non"}}) is False
    assert truth(row, {}) is None


def test_a_rule_fires_with_its_own_figures_and_waits_for_its_inputs() -> None:
    rule = {
        "kind": "check", "id": "r", "target": "a", "severity": "advice",
        "test": {"compare": {"left": {"div": [{"question": "a"}, {"question": "b"}]}, "op": "<=",
                             "right": {"value": 12}}},
        "values": {"moyenne": {"div": [{"question": "a"}, {"question": "b"}]}},
        "message": "{a} enfants pour {b} collectifs, soit {moyenne} par collectif : 12 au plus.",
        "source": {"document": "Circulaire C-2026-069", "section": "§ 2.1"},
    }  # fmt: skip
    form = definition([rule])
    issues = evaluate(form, {"a": 40, "b": 3}).issues
    assert [(i.code, i.message, i.source) for i in issues] == [
        ("r", "40 enfants pour 3 collectifs, soit 13,33 par collectif : 12 au plus.", "Circulaire C-2026-069, § 2.1")
    ]
    assert evaluate(form, {"a": 40}).issues == ()  # b missing: silent
    assert evaluate(form, {"a": 36, "b": 3}).issues == ()


def test_french_figures() -> None:
    assert [format_number(n) for n in (5, 7.5, 12.333, 0.25, 1607, 6120.0)] == [
        "5", "7,5", "12,33", "0,25", "1\u202f607", "6\u202f120"
    ]  # fmt: skip


# --- local and Caf-only questions ----------------------------------------------------------------


def test_local_answers_are_never_transmitted_nor_required() -> None:
    form = definition([])
    assert transmitted_answers(form, {"a": 1, "loc": True}) == {"a": 1}
    assert evaluate(form, {}).blocking == []


# --- load errors -------------------------------------------------------------------------------

CASES: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]] | None, list[str]]] = {
    "unknown_row": (
        [{"kind": "check", "id": "r_ligne", "target": "m", "message": "x",
          "test": {"question": "m", "row": "r9", "equals": "oui"}}], None,
        ["essai-langage.json", "la règle r_ligne cite une ligne inconnue de m : r9"]),
    "unknown_choice_of_a_row": (
        [{"kind": "check", "id": "r_choix", "target": "m", "message": "x",
          "test": {"question": "m", "row": "r1", "in": ["peutetre"]}}], None,
        ["la règle r_choix cite un choix inconnu de m : peutetre"]),
    "matrix_without_row": (
        [{"kind": "check", "id": "r_matrice", "target": "m", "message": "x",
          "test": {"question": "m", "equals": "oui"}}], None,
        ["la règle r_matrice teste la matrice m sans nommer de ligne (row)"]),
    "count_on_a_non_matrix": (
        [{"kind": "check", "id": "r_compte", "target": "a", "message": "x",
          "test": {"compare": {"left": {"count_rows": {"question": "a", "choices": ["oui"]}}, "op": ">=",
                               "right": {"value": 1}}}}], None,
        ["la règle r_compte compte les lignes de a, qui n'est pas une matrice"]),
    "arithmetic_on_a_non_number": (
        [{"kind": "check", "id": "r_calcul", "target": "a", "message": "x",
          "test": {"compare": {"left": {"add": [{"question": "mc"}]}, "op": ">=", "right": {"value": 1}}}}], None,
        ["la règle r_calcul calcule avec mc, qui n'est pas un nombre"]),
    "placeholder_not_a_value": (
        [{"kind": "check", "id": "r_message", "target": "a", "message": "{moyenne} par collectif",
          "test": {"question": "a", "answered": True}}], None,
        ["la règle r_message affiche {moyenne} dans son message"]),
    "blocking_rule_on_a_local_answer": (
        [{"kind": "check", "id": "r_locale", "target": "loc", "message": "x", "severity": "error",
          "test": {"question": "loc", "equals": True}}], None,
        ["la règle r_locale est bloquante (error) mais lit une réponse d'auto-diagnostic (loc)"]),
    "two_sources_in_an_expression": (
        [{"kind": "check", "id": "r_deux", "target": "a", "message": "x",
          "test": {"compare": {"left": {"question": "a", "value": 1}, "op": ">=", "right": {"value": 1}}}}], None,
        ["règle « r_deux »", "une expression a exactement une source"]),
    "required_local_question": (
        [], [{"id": "loc", "type": "yes_no", "scope": "local", "required": True}],
        ["une question locale (auto-diagnostic) n'est jamais obligatoire (loc)"]),
    "required_caf_question": (
        [], [{"id": "sias", "type": "text", "filled_by": "caf", "required": True}],
        ["une question remplie par la Caf n'est jamais obligatoire pour le partenaire (sias)"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_faulty_rule_is_refused_at_load_naming_file_rule_and_fault(case: str) -> None:
    rules, questions, expected = CASES[case]
    with pytest.raises(DefinitionError) as refused:
        definition(rules, questions)
    message = str(refused.value)
    assert message.startswith("Définition de formulaire invalide « essai-langage.json » : ")
    for fragment in expected:
        assert fragment in message, (case, message)


def test_a_faulty_rule_in_a_file_names_the_file(tmp_path: Path) -> None:
    data = json.loads(OFFICIAL.read_text(encoding="utf-8"))
    data["rules"][0]["message"] = "{inconnue}"
    path = tmp_path / "clas-casse.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(DefinitionError, match=r"« clas-casse\.json ».*la règle siren_du_siret affiche \{inconnue\}"):
        load_definition(path)


# --- no message states a figure its rule does not check ---------------------------------------------

_NUMBER = re.compile(r"\d{1,3}(?:\u202f\d{3})+(?:,\d+)?|\d+(?:,\d+)?")
# Not thresholds: a diploma level, a document number, and official wording quoted « like this ».
_NOT_A_FIGURE = re.compile(r"Bac \+2|C-\d{4}-\d+|«[^»]*»")


def stated_figures_not_checked(rule: Rule) -> list[str]:
    """The numbers written in a rule's message (outside its {placeholders}) that are none of its thresholds."""
    literal = re.sub(r"\{[a-z0-9_]+\}", " ", _NOT_A_FIGURE.sub(" ", rule.message))
    checked = rule.constants()
    return [
        text for text in _NUMBER.findall(literal) if float(text.replace("\u202f", "").replace(",", ".")) not in checked
    ]


def test_every_message_states_only_its_own_thresholds() -> None:
    official = load_definition(OFFICIAL)
    assert {
        rule.id: stated_figures_not_checked(rule) for rule in official.rules if stated_figures_not_checked(rule)
    } == {}
    assert all(rule.source is not None for rule in official.rules)
    advice = [r for r in official.rules if r.severity == "advice"]
    assert len(advice) >= 20
    # Every advice that reads a number shows the figures that triggered it.
    for rule in advice:
        numeric = [q for q in rule.questions() if official.question(q).type in ("integer", "decimal")]
        assert not numeric or rule.placeholders(), rule.id


def test_the_figures_check_catches_a_message_claiming_an_unchecked_threshold() -> None:
    """Negative control: the old « au moins 5 » rule said « 8 à 12 enfants » and checked only 5."""
    old = {
        "kind": "compare", "id": "enfants_au_moins_5", "left": {"question": "a"}, "op": ">=",
        "right": {"question": "b", "times": 5}, "target": "a", "severity": "advice",
        "message": "Un collectif compte 8 à 12 enfants (5 au minimum en milieu rural).",
    }  # fmt: skip
    rule = definition([old]).rules[0]
    assert stated_figures_not_checked(rule) == ["8", "12"]
