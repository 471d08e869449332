"""One bad definition in DATA/forms never bricks the app (issue 12 item 8).

A damaged or too-new file is set aside with one French warning naming it; the other definitions and
their questionnaires keep working; a questionnaire whose own definition is missing opens read-only
on a stand-in that shows its answers as they are, and export and PDF still work.
"""

from __future__ import annotations

import io
import json
import shutil
from contextlib import closing
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.cli import main
from forms.definition import DefinitionError
from forms.exchange import export_document
from forms.overview import questionnaire_state
from forms.pdf import bilan_from_store, render_bilan
from forms.registry import FormRegistry
from forms.store import NotEditable, Store
from tests.forms.conftest import ESSAI_V1_PATH
from tests.forms.test_cli import Result, Runner, cli

ANSWERS = {"q_text": "Association des Lilas", "q_integer": 7, "q_yes_no": True}


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Runner:
    """`bilan-clas ARGS` in this process (as tests/forms/test_cli.py)."""

    def run_main(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run_main


def _essai_answers(store: Store, uuid: str) -> None:
    for qid, value in ANSWERS.items():
        store.set_answer(uuid, qid, value)


def _forms(data_dir: Path) -> Path:
    folder = data_dir / "forms"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_bad_file_is_set_aside_with_a_french_warning_naming_it(tmp_path: Path) -> None:
    shutil.copy(ESSAI_V1_PATH, tmp_path / "clas-essai-v1.json")
    (tmp_path / "clas-abime.json").write_text("{ pas du json", encoding="utf-8")
    newer = json.loads(ESSAI_V1_PATH.read_text(encoding="utf-8")) | {"id": "clas-futur", "layout": "v9"}
    (tmp_path / "clas-futur.json").write_text(json.dumps(newer), encoding="utf-8")
    registry = FormRegistry.load(tmp_path, strict=False)
    assert ("clas-essai", 1) in registry
    assert ("clas-2024-2025", 1) in registry
    assert len(registry.set_aside) == 2
    assert "« clas-abime.json »" in registry.set_aside[0]
    assert "« clas-futur.json »" in registry.set_aside[1]
    assert all(w.startswith("Définition mise de côté") for w in registry.set_aside)
    # Negative control: strict loading (the server, the self-test) still refuses the folder.
    with pytest.raises(DefinitionError, match="clas-abime.json"):
        FormRegistry.load(tmp_path)


def test_cli_list_works_and_warns_once_on_stderr(data_dir: Path, run: Runner) -> None:
    forms = _forms(data_dir)
    shutil.copy(ESSAI_V1_PATH, forms / "clas-essai-v1.json")
    made = run("new", "--form", "clas-essai", "--title", "Action des Lilas")
    assert made.code == 0, made
    (forms / "clas-abime.json").write_text("{ pas du json", encoding="utf-8")
    listed = cli("list", "--json")
    assert listed.code == 0, listed
    assert [r["title"] for r in json.loads(listed.out)] == ["Action des Lilas"]
    warnings = [line for line in listed.err.splitlines() if "clas-abime.json" in line]
    assert len(warnings) == 1
    assert "Traceback" not in listed.err
    assert warnings[0].startswith("Attention : Définition mise de côté")


def test_a_questionnaire_on_a_missing_definition_opens_read_only_and_exports(data_dir: Path, run: Runner) -> None:
    forms = _forms(data_dir)
    shutil.copy(ESSAI_V1_PATH, forms / "clas-essai-v1.json")
    with closing(Store.open(data_dir, FormRegistry.load(forms))) as store:
        uuid = store.create(form_id="clas-essai", title="Action des Lilas").uuid
        _essai_answers(store, uuid)
    # The definition gets damaged (or was written by a newer version): set aside.
    (forms / "clas-essai-v1.json").write_text('{"id": "clas-essai", "version": 1, "pages": 3}', encoding="utf-8")

    store = Store.open(data_dir, FormRegistry.load(forms, strict=False))
    try:
        assert store.definition_missing(uuid)
        state = questionnaire_state(store, uuid)
        assert not state.editable
        assert not state.can_transmit
        assert "clas-essai (version 1) est absente" in state.explanation
        shown = {q.id for q in store.definition(uuid).questions()}
        assert shown == set(ANSWERS)
        with pytest.raises(NotEditable, match="lecture seule"):
            store.set_answer(uuid, "q_text", "Autre")
        with pytest.raises(NotEditable):
            store.transmit(uuid)
        exported = export_document(store, uuid)
        assert exported["answers"] == ANSWERS
        assert exported["form_id"] == "clas-essai"
        pdf = io.BytesIO()
        render_bilan(pdf, bilan_from_store(store, uuid), generated_at=store.get(uuid).created_at)
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.getvalue())).pages)
        assert "Association des Lilas" in text
        assert "Définition absente" in text
        assert store.answers(uuid) == ANSWERS  # nothing lost
    finally:
        store.close()

    checked = run("check", uuid)
    assert checked.code == 1, checked
    assert "lecture seule" in checked.err
    exported_cli = run("export", uuid)
    assert exported_cli.code == 0
    assert json.loads(exported_cli.out)["answers"] == ANSWERS
