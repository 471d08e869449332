"""Loading definitions: a malformed file gives one French error naming the file and the fault; the registry."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forms.definition import DefinitionError, FormDefinition, load_definition
from forms.registry import FormRegistry, shipped_forms_dir
from tests.forms.conftest import ESSAI_V1_PATH, ESSAI_V2_PATH, OFFICIAL_PATH

BASE: dict[str, Any] = json.loads(ESSAI_V1_PATH.read_text(encoding="utf-8"))
ENGLISH = ("Input should", "Unable to", "String should", "Field required", "Value error", "valid ")


def write(folder: Path, data: Any, name: str = "clas-casse.json") -> Path:
    path = folder / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def mutated(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    change(data)
    return data


def load_error(path: Path) -> str:
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    message = str(caught.value)
    assert f"« {path.name} »" in message
    assert "\n" not in message
    for english in ENGLISH:
        assert english not in message, message
    return message


def _questions(data: dict[str, Any], page: int) -> list[dict[str, Any]]:
    return data["pages"][page]["questions"]


# Each case: how to break the essai definition, and what the message must say about it.
CASES: dict[str, tuple[Callable[[dict[str, Any]], Any], list[str]]] = {
    "unknown_type": (
        lambda d: _questions(d, 0)[0].update(type="paragraph"),
        ["pages → 0 → questions → 0 → type", "valeur non permise"],
    ),
    "duplicate_question": (
        lambda d: _questions(d, 2)[1].update(id="q_integer"),
        ["question q_integer en double"],
    ),
    "duplicate_page": (lambda d: d["pages"][2].update(id="p_action"), ["page p_action en double"]),
    "condition_on_later_question": (
        lambda d: _questions(d, 1)[1].update(visible_if={"question": "q_integer", "equals": 3}),
        ["la condition de q_single_choice", "placée après", "q_integer"],
    ),
    "condition_on_unknown_question": (
        lambda d: _questions(d, 1)[1].update(visible_if={"question": "q_fantome", "equals": True}),
        ["la condition de q_single_choice", "q_fantome"],
    ),
    "condition_on_itself": (
        lambda d: _questions(d, 1)[1].update(visible_if={"question": "q_single_choice", "equals": "autre"}),
        ["la condition de q_single_choice", "q_single_choice"],
    ),
    "nested_condition_on_later_question": (
        lambda d: _questions(d, 1)[1].update(
            visible_if={
                "all": [{"question": "q_yes_no", "equals": True}, {"not": {"question": "q_decimal", "answered": True}}]
            }
        ),
        ["la condition de q_single_choice", "q_decimal"],
    ),
    "condition_with_two_operators": (
        lambda d: _questions(d, 1)[1]["visible_if"].update(not_equals=False),
        ["visible_if", "une condition porte exactement un opérateur"],
    ),
    "rule_on_a_non_numeric_question": (
        lambda d: d["rules"][0]["left"].update(question="q_text"),
        ["la règle r_part_au_plus_total compare q_text, qui n'est pas un nombre"],
    ),
    "rule_sum_with_a_non_numeric_question": (
        lambda d: d["rules"][0].update(left={"sum": ["q_integer_part", "q_date"]}),
        ["la règle r_part_au_plus_total compare q_date, qui n'est pas un nombre"],
    ),
    "rule_on_an_unknown_question": (
        lambda d: d["rules"][0]["right"].update(question="q_inconnue"),
        ["la règle r_part_au_plus_total cite des questions inconnues : q_inconnue"],
    ),
    "rule_when_on_an_unknown_question": (
        lambda d: d["rules"][1].update(when={"question": "q_inconnue", "equals": True}),
        ["la condition de la règle r_etp_conseil cite une question inconnue"],
    ),
    "choice_count_on_a_single_choice": (
        lambda d: d["rules"].append(
            {
                "kind": "choice_count",
                "id": "r_compte",
                "question": "q_single_choice",
                "min": 1,
                "target": "q_single_choice",
                "message": "Au moins un.",
            }
        ),
        ["la règle r_compte compte les choix de q_single_choice, qui n'est pas à choix multiple"],
    ),  # fmt: skip
    "choice_count_on_an_unknown_choice": (
        lambda d: d["rules"].append(
            {
                "kind": "choice_count",
                "id": "r_compte",
                "question": "q_multiple_choice",
                "among": ["maternelle"],
                "min": 1,
                "target": "q_multiple_choice",
                "message": "Au moins un.",
            }
        ),
        ["la règle r_compte cite un choix inconnu de q_multiple_choice"],
    ),  # fmt: skip
    "unknown_rule_kind": (lambda d: d["rules"][0].update(kind="formula"), ["rules → 0", "type de règle inconnu"]),
    "rule_without_kind": (lambda d: d["rules"][0].pop("kind"), ["rules → 0 : type de règle (kind) manquant"]),
    "choice_question_without_choices": (
        lambda d: _questions(d, 1)[1].update(choices=[]),
        ["la question q_single_choice (single_choice) doit proposer des choix"],
    ),
    "duplicate_choice": (
        lambda d: _questions(d, 1)[1]["choices"].append({"id": "ecole", "label": "École bis"}),
        ["identifiants de choix en double dans q_single_choice"],
    ),
    "matrix_without_rows": (
        lambda d: _questions(d, 1)[4].update(rows=[]),
        ["seule une matrice a des lignes (q_matrix)"],
    ),
    "bounds_on_text": (
        lambda d: _questions(d, 0)[0].update(min=1),
        ["min, max et decimals ne valent que pour un nombre"],
    ),
    "min_above_max": (lambda d: _questions(d, 2)[0].update(min=10, max=1), ["min dépasse max (q_integer)"]),
    "min_not_a_number": (lambda d: _questions(d, 2)[0].update(min="zéro"), ["pages → 2 → questions → 0 → min"]),
    "too_many_decimals": (lambda d: _questions(d, 2)[2].update(decimals=9), ["decimals"]),
    "required_not_a_bool": (lambda d: _questions(d, 0)[0].update(required="oui"), ["required"]),
    "version_not_an_integer": (lambda d: d.update(version=1.5), ["version"]),
    "version_zero": (lambda d: d.update(version=0), ["version : valeur trop petite"]),
    "id_too_long": (lambda d: _questions(d, 0)[0].update(id="q" * 80), ["pages → 0 → questions → 0 → id"]),
    "id_badly_formed": (lambda d: _questions(d, 0)[0].update(id="Q-Text"), ["id : identifiant mal formé"]),
    "missing_title": (lambda d: d.pop("title"), ["title : champ obligatoire manquant"]),
    "unknown_field": (lambda d: _questions(d, 0)[0].update(obligatoire=True), ["obligatoire : champ inconnu"]),
    "no_pages": (lambda d: d.update(pages=[]), ["pages : liste vide"]),
    "empty_label": (lambda d: _questions(d, 0)[0].update(label=""), ["label : texte vide"]),
    "campaign_closes_before_opening": (
        lambda d: d["campaign"].update(opens="2026-10-31", closes="2026-09-01"),
        ["campaign", "la campagne se clôt avant d'ouvrir"],
    ),
    "campaign_date_badly_written": (
        lambda d: d["campaign"].update(opens="01/09/2026"),
        ["campaign → opens : date attendue (AAAA-MM-JJ)"],
    ),
    "accept_on_a_text": (
        lambda d: _questions(d, 0)[0].update(accept=["application/pdf"]),
        ["accept et max_size_bytes ne valent que pour un fichier"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_definition_names_file_and_fault(tmp_path: Path, case: str) -> None:
    change, expected = CASES[case]
    message = load_error(write(tmp_path, mutated(change)))
    assert message.startswith("Définition de formulaire invalide « clas-casse.json » : ")
    for fragment in expected:
        assert fragment in message, (case, message)


def test_bad_json(tmp_path: Path) -> None:
    text = ESSAI_V1_PATH.read_text(encoding="utf-8").replace('"version": 1,', '"version": 1', 1)
    message = load_error(write(tmp_path, text))
    assert "JSON mal formé ligne 4, colonne 3" in message


def test_not_an_object(tmp_path: Path) -> None:
    assert "racine : objet attendu" in load_error(write(tmp_path, "[]"))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "clas-latin1.json"
    path.write_bytes(ESSAI_V1_PATH.read_text(encoding="utf-8").encode("latin-1", errors="replace"))
    load_error(path)


def test_missing_file(tmp_path: Path) -> None:
    assert "illisible" in load_error(tmp_path / "absent.json")


def test_every_error_is_reported_once_with_a_count(tmp_path: Path) -> None:
    def two_faults(d: dict[str, Any]) -> None:
        d.pop("title")
        _questions(d, 0)[0].update(type="paragraph")

    assert "(et 1 autre(s) erreur(s))" in load_error(write(tmp_path, mutated(two_faults)))


@pytest.mark.parametrize("path", [OFFICIAL_PATH, ESSAI_V1_PATH, ESSAI_V2_PATH], ids=lambda p: p.stem)
def test_valid_definitions_load_and_round_trip(path: Path) -> None:
    definition = load_definition(path)
    again = FormDefinition.model_validate(definition.model_dump(by_alias=True, exclude_unset=True))
    assert again == definition


# --- registry ------------------------------------------------------------------------------------


def test_registry_holds_both_essai_versions_side_by_side(registry: FormRegistry) -> None:
    v1, v2 = registry.get("clas-essai", 1), registry.get("clas-essai", 2)
    assert (v1.version, v2.version) == (1, 2)
    assert v1.question("q_text").label == "Nom de la structure"
    assert v2.question("q_text").label == "Nom officiel de la structure"
    assert ("clas-essai", 1) in registry
    assert ("clas-essai", 2) in registry
    assert ("clas-essai", 3) not in registry


def test_registry_gives_the_latest_version_by_default(registry: FormRegistry) -> None:
    assert registry.get("clas-essai").version == 2
    assert registry.get("clas-2024-2025").version == 1
    assert [(d.id, d.version) for d in registry.latest()] == [("clas-essai", 2), ("clas-2024-2025", 1)]
    assert [(d.id, d.version) for d in registry.all()] == [
        ("clas-essai", 2),
        ("clas-essai", 1),
        ("clas-2024-2025", 1),
    ]


def test_registry_unknown_form_or_version(registry: FormRegistry) -> None:
    with pytest.raises(KeyError):
        registry.get("clas-1999-2000")
    with pytest.raises(KeyError):
        registry.get("clas-essai", 9)


def test_registry_loads_the_shipped_forms_without_extra_folders() -> None:
    shipped = FormRegistry.load()
    assert [d.key for d in shipped.all()] == [("clas-2024-2025", 1)]
    assert (shipped_forms_dir() / "clas-2024-2025.json").is_file()


def test_registry_accepts_the_same_definition_twice(tmp_path: Path) -> None:
    write(tmp_path, json.loads(OFFICIAL_PATH.read_text(encoding="utf-8")), "copie-officielle.json")
    assert [d.key for d in FormRegistry.load(tmp_path).all()] == [("clas-2024-2025", 1)]


def test_registry_refuses_two_different_definitions_with_one_id_and_version(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write(first, BASE, "clas-essai-v1.json")
    write(second, mutated(lambda d: d.update(title="Un autre questionnaire")), "clas-essai-v1-bis.json")
    with pytest.raises(DefinitionError, match="Deux définitions différentes portent le même identifiant clas-essai"):
        FormRegistry.load(first, second)
    registry = FormRegistry([load_definition(ESSAI_V1_PATH)])
    with pytest.raises(DefinitionError, match="version 1"):
        registry.add(load_definition(write(second, mutated(lambda d: d.update(title="Autre")), "autre.json")))
    assert registry.get("clas-essai").title == BASE["title"]


def test_registry_names_a_bad_file_in_a_folder(tmp_path: Path) -> None:
    write(tmp_path, BASE, "clas-essai-v1.json")
    write(tmp_path, "{ pas du json", "clas-abime.json")
    with pytest.raises(DefinitionError, match="clas-abime.json"):
        FormRegistry.load(tmp_path)
