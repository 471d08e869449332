"""Items 3–6 end to end through the CLI (issue 12 item 7): a validated 2024-2025 bilan starts the
2025-2026 one on the test definition v1, the draft migrates to v2 without losing a word, and the
indicators chart three campaigns (test definitions, not official)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import Store
from tests.conftest import OFFICIAL_FORM, TEST_FORMS
from tests.forms.sample_answers import complete_answers


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_start_from_last_year_migrate_and_chart_three_campaigns(
    data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    forms = data_dir / "forms"
    forms.mkdir(parents=True)
    for name in ("clas-essai-2023-2024.json", "clas-essai-2025-2026-v1.json"):
        (forms / name).write_bytes((TEST_FORMS / "campagnes" / name).read_bytes())
    store = Store.open(data_dir, FormRegistry.load(forms))
    try:
        older = store.create(form_id="clas-essai-2023-2024", title="Coup de pouce", answers=complete_answers()).uuid
        last = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce", answers=complete_answers()).uuid
        for uuid in (older, last):
            store.transmit(uuid)
            with store._write() as c:
                c.exec_driver_sql("UPDATE questionnaire SET status = ? WHERE uuid = ?", (Status.VALIDE.value, uuid))
    finally:
        store.close()

    started = json.loads(
        _run(capsys, "new", "--form", "clas-essai-2025-2026", "--title", "Coup de pouce", "--from", last, "--json")
    )
    this_year = started["uuid"]
    assert started["form_version"] == 1
    assert {"nb_enfants_inscrits", "nb_seances", "total_presences", "bilan_qualitatif"} <= set(started["dropped"])
    _run(capsys, "import", str(_document(tmp_path, this_year)))  # this year's figures, typed
    held = json.loads(_run(capsys, "export", this_year))["answers"]

    (forms / "clas-essai-2025-2026-v2.json").write_bytes(
        (TEST_FORMS / "campagnes" / "clas-essai-2025-2026-v2.json").read_bytes()
    )  # v2 published, received at a sync
    moved = json.loads(_run(capsys, "migrate", this_year, "--json"))
    assert moved["renamed"] == [{"from": "commune", "to": "nom_commune"}]
    exported = json.loads(_run(capsys, "export", this_year))
    after = dict(exported["answers"])
    after["commune"] = after.pop("nom_commune")
    after |= {a["question_id"]: a["value"] for a in exported["archived_answers"]}
    assert after == held

    figures = json.loads(_run(capsys, "indicators", "--json"))
    assert [c["school_year"] for c in figures] == ["2023-2024", "2024-2025", "2025-2026"]
    assert figures[0]["sent"]["children_enrolled"] == complete_answers()["nb_enfants_inscrits"]
    assert figures[2]["drafts"]["children_enrolled"] == 25
    assert figures[2]["sent"]["questionnaires"] == 0


def _document(folder: Path, uuid: str) -> Path:
    answers = complete_answers()
    answers |= {"nb_enfants_elementaire": 13, "nb_enfants_inscrits": 25}
    path = folder / "cette-annee.json"
    path.write_text(
        json.dumps({"uuid": uuid, "form_id": "clas-essai-2025-2026", "answers": answers}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path
