"""`bilan-clas check UUID --json` gives, for the issue's cases, the advice the référentiel gives, with its
rule id, severity, message, question and source (a real subprocess for the first case)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.forms.sample_answers import complete_answers
from tests.forms.test_cli import Runner, cli, write_json
from tests.forms.test_cli import run as run  # noqa: F401 - the fixture

URBAN_FIVE = {"nb_collectifs": 1, "nb_enfants_inscrits": 5, "nb_familles": 5, "nb_enfants_elementaire": 5,
              "nb_enfants_college": 0, "nb_seances": 68, "total_presences": 300, "heures_salaries": 204,
              "heures_benevoles": 0, "etp_salaries": 0.13, "etp_benevoles": 0, "nb_collectifs_bonus_enfants": 1,
              "diag_zone_rurale": False, "diag_enfant_handicap": False}  # fmt: skip


def _import(tmp_path: Path, runner: Any, answers: dict[str, Any]) -> str:
    document = {"form_id": "clas-2024-2025", "answers": answers}
    return runner("import", str(write_json(tmp_path / "bilan.json", document))).uuid


def _advice(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["rule_id"]: p for p in report["problems"] if p["severity"] == "advice"}


def test_check_json_gives_the_advice_with_its_source(data_dir: Path, tmp_path: Path, run: Runner) -> None:
    uuid = _import(tmp_path, run, {**complete_answers(), **URBAN_FIVE})
    checked = cli("check", uuid, "--json")
    assert checked.code == 0, checked  # advice never blocks
    report = json.loads(checked.out)
    assert report["transmittable"] is True
    found = _advice(report)
    assert set(found) == {"enfants_au_moins_8_par_collectif"}
    item = found["enfants_au_moins_8_par_collectif"]
    assert {k: item[k] for k in ("question_id", "question", "severity", "code", "source")} == {
        "question_id": "nb_enfants_inscrits",
        "question": "Nombre d'enfants inscrits",
        "severity": "advice",
        "code": "enfants_au_moins_8_par_collectif",
        "source": "Circulaire C-2026-069, § 2.1, « S'inscrire dans une dynamique collective »",
    }
    assert item["message"].startswith(
        "5 enfants inscrits pour 1 collectif(s), soit 5 par collectif : le référentiel "
        "demande au moins 8 enfants par collectif"
    )
    text = run("check", uuid)
    assert "(Source : Circulaire C-2026-069, § 2.1, « S'inscrire dans une dynamique collective »)" in text.out
    assert [p for p in report["pages"] if p["local"]] == [
        {"page_id": "auto_diagnostic", "title": "Auto-diagnostic au regard du référentiel", "state": "complete",
         "answered": 2, "visible": 7, "required_missing": 0, "errors": 0, "local": True}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "rule_id"),
    [
        ({"diag_zone_rurale": False, "diag_intervenants_par_seance": 1}, "intervenants_par_seance"),
        ({"nb_seances": 60, "semaines_sept_dec": 12, "semaines_janv_aout": 18, "total_presences": 540},
         "seances_par_semaine_par_collectif"),
        ({"actions_parents": dict.fromkeys(complete_answers()["actions_parents"], "non")}, "axe_parents"),
        ({"activites": {**dict.fromkeys(complete_answers()["activites"], "jamais"),
                        "aide_methodologique": "chaque_seance", "travail_personnel": "chaque_seance"}},
         "pas_seulement_aide_aux_devoirs"),
        ({"diag_action_individuelle": True}, "action_collective"),
        ({"diag_coordinateur_bac2": False}, "coordinateur_bac_plus_2"),
    ],
)  # fmt: skip
def test_check_json_for_each_case_of_the_issue(
    data_dir: Path, tmp_path: Path, run: Runner, changes: dict[str, Any], rule_id: str
) -> None:
    uuid = _import(tmp_path, run, {**complete_answers(), **changes})
    checked = run("check", uuid, "--json")
    assert checked.code == 0, checked
    found = _advice(json.loads(checked.out))
    assert rule_id in found
    assert found[rule_id]["source"]
    assert found[rule_id]["message"]
