"""Start from last year's bilan and duplicate an action (issue 12 items 3, 5, 7, 9).

A validated 2024-2025 questionnaire starts a clas-essai-2025-2026 one (tests/data/forms/campagnes,
not official): only what the new definition declares `carry_over` is copied, never a counted figure,
and the carried pages are « à vérifier » until looked at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from desktop.cli import main
from forms.carry import carry_over, start_from
from forms.definition import NEVER_CARRIED, DefinitionError, parse_definition
from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import NotFound, Store, UnknownForm
from forms.store.carried import page_checked, pages_to_check
from tests.conftest import OFFICIAL_FORM, TEST_FORMS
from tests.forms.sample_answers import complete_answers

CAMPAIGNS = TEST_FORMS / "campagnes"
ESSAI = "clas-essai-2025-2026"


@pytest.fixture
def years(data_dir: Path) -> Iterator[Store]:
    opened = Store.open(data_dir, FormRegistry.load(CAMPAIGNS))
    yield opened
    opened.close()


def _validated(store: Store) -> str:
    """Last year's bilan, transmitted and validated by the Caf (status set as the sync would)."""
    uuid = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce 2024-2025", answers=complete_answers()).uuid
    store.transmit(uuid)
    with store._write() as c:
        c.exec_driver_sql("UPDATE questionnaire SET status = ? WHERE uuid = ?", (Status.VALIDE.value, uuid))
    return uuid


def test_only_declared_answers_carry_and_never_a_counted_figure(years: Store) -> None:
    source = _validated(years)
    before = years.answers(source)
    info, result = start_from(years, source, form_id=ESSAI, title="Coup de pouce 2025-2026", form_version=1)
    target = years.registry.get(ESSAI, 1)
    declared = {q.id for q in target.questions() if q.carry_over}
    new = years.answers(info.uuid)
    assert set(new) == set(result.carried)
    assert set(result.carried) <= declared
    assert "lieu_action" in result.carried
    assert "ages" in result.carried
    assert "nom_structure" in result.carried
    for qid, value in new.items():
        assert value == before[qid]
        assert target.question(qid).type not in NEVER_CARRIED  # never a count, a decimal or a file
    counted = [q.id for q in target.questions() if q.indicator]
    assert counted
    assert not set(counted) & set(new)
    assert set(counted) <= set(result.dropped)
    assert "bilan_qualitatif" in result.dropped
    assert set(result.carried) | set(result.dropped) == set(before)  # every earlier answer accounted for
    assert years.answers(source) == before  # the earlier bilan is untouched
    assert years.get(source).status == Status.VALIDE

    # The carried pages are « à vérifier » until the user has looked at each.
    marked = pages_to_check(years, info.uuid)
    assert marked == {target.page_of(q).id for q in result.carried}
    page_checked(years, info.uuid, "identification_structure")
    assert pages_to_check(years, info.uuid) == marked - {"identification_structure"}


def test_a_renamed_question_carries_from_its_old_id(years: Store) -> None:
    v2 = years.registry.get(ESSAI, 2)
    renamed = next(q for q in v2.questions() if q.replaces)
    data = v2.model_dump(mode="json", exclude_unset=True)
    for page in data["pages"]:
        for q in page["questions"]:
            if q.get("replaces"):
                q["carry_over"] = True
    patched = parse_definition(data)
    result = carry_over(patched, {renamed.replaces: "Chambéry", "nb_enfants_inscrits": 12})
    assert result.answers == {renamed.id: "Chambéry"}
    assert result.dropped == ["nb_enfants_inscrits"]


def test_the_definition_refuses_carry_over_on_a_count_or_a_file() -> None:
    data = json.loads((TEST_FORMS / "clas-essai-v1.json").read_text(encoding="utf-8"))
    for page in data["pages"]:
        for q in page["questions"]:
            if q["type"] == "integer":
                q["carry_over"] = True
    with pytest.raises(DefinitionError, match="ne se reprend pas"):
        parse_definition(data, "essai.json")


def test_refusals_are_french_and_create_nothing(years: Store) -> None:
    source = _validated(years)
    with pytest.raises(NotFound):
        start_from(years, "00000000-0000-4000-8000-000000000000", form_id=ESSAI, title="X")
    with pytest.raises(UnknownForm, match="Formulaire inconnu"):
        start_from(years, source, form_id="clas-2099-2100", title="X")
    assert len(years.list()) == 1


def test_cli_new_from_prints_the_carried_and_dropped_ids(
    years: Store, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _validated(years)
    forms = data_dir / "forms"
    forms.mkdir(exist_ok=True)
    for path in CAMPAIGNS.glob("*.json"):
        (forms / path.name).write_bytes(path.read_bytes())
    capsys.readouterr()
    assert main(["new", "--form", ESSAI, "--title", "Coup de pouce 2025-2026", "--from", source, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["form_id"] == ESSAI
    assert printed["form_version"] == 2  # the latest version of the open campaign
    assert "lieu_action" in printed["carried"]
    assert "nb_enfants_inscrits" in printed["dropped"]
    assert "total_presences" in printed["dropped"]

    # Duplicate an action within its campaign: no --form, the same definition, a new title.
    assert main(["new", "--title", "Deuxième action", "--from", source]) == 0
    twin = capsys.readouterr().out.strip()
    with closing(Store.open(data_dir, FormRegistry.load(forms))) as other:
        assert other.get(twin).form_id == OFFICIAL_FORM
        assert other.get(twin).title == "Deuxième action"
        copied = other.answers(twin)
        assert copied["nom_structure"] == complete_answers()["nom_structure"]
        assert "nb_seances" not in copied
        assert other.get(twin).status == Status.EN_COURS
