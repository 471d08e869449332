"""No question id in generic code: a definition with other ids, the same roles, works in the CLI and the PDF."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forms.definition import parse_definition
from forms.registry import FormRegistry
from forms.store import Store
from forms.store.remote import Remote, RemoteVersion
from tests.forms.conftest import OFFICIAL_PATH
from tests.forms.sample_answers import complete_answers
from tests.pdf.helpers import flat, pdf_text
from tests.pdf.test_cli import cli, err

FORM_ID = "autre-campagne"


def _renamed(data_dir: Path) -> dict[str, str]:
    """Write the official definition with every question id prefixed; return old id -> new id."""
    source = json.loads(OFFICIAL_PATH.read_text(encoding="utf-8"))
    ids = [q["id"] for page in source["pages"] for q in page["questions"]]
    mapping = {old: f"autre_{old}" for old in ids}

    def rename(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: rename(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [rename(v, key) for v in value]
        if isinstance(value, str) and key == "message":  # a rule's message names its figures by question id
            for old, new in mapping.items():
                value = value.replace("{" + old + "}", "{" + new + "}")
            return value
        if isinstance(value, str) and key not in {"type", "role", "choices", "rows", "label", "help"}:
            return mapping.get(value, value)
        return value

    data = rename(source)
    data["id"], data["title"] = FORM_ID, "Une autre campagne"
    parse_definition(data)  # loads as it is
    (data_dir / "forms").mkdir(parents=True, exist_ok=True)
    (data_dir / "forms" / f"{FORM_ID}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return mapping


def _answers(mapping: dict[str, str]) -> dict[str, Any]:
    return {mapping[k]: v for k, v in complete_answers().items()}


def test_pdf_list_and_check_read_roles_not_ids(data_dir: Path, tmp_path: Path) -> None:
    mapping = _renamed(data_dir)
    document = tmp_path / "action.json"
    document.write_text(json.dumps({"form_id": FORM_ID, "title": "Action renommée", "answers": _answers(mapping)}))
    imported = cli("import", str(document), data_dir=data_dir)
    assert imported.returncode == 0, err(imported)
    uuid = imported.stdout.decode().strip()
    listed = cli("list", data_dir=data_dir)
    assert listed.returncode == 0, err(listed)
    assert "Action renommée" in listed.stdout.decode()
    assert cli("check", uuid, data_dir=data_dir).returncode == 0
    pdf = tmp_path / "bilan.pdf"
    printed = cli("pdf", uuid, "-o", str(pdf), data_dir=data_dir)
    assert printed.returncode == 0, err(printed)
    organisation = complete_answers()["nom_structure"]
    assert flat(organisation) in pdf_text(pdf)  # the header's organisation comes from the role


def test_a_received_questionnaire_is_titled_from_the_roles(data_dir: Path) -> None:
    mapping = _renamed(data_dir)
    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:
        answers = _answers(mapping)
        change = RemoteVersion(
            questionnaire_uuid="6f1c2a3e-0000-4000-8000-000000000001",
            version_id="6f1c2a3e-0000-4000-8000-00000000000a",
            base_version_id=None, server_rev=1, author_role="partner", form_id=FORM_ID, form_version=1,
            answers=answers, payload_sha256="0" * 64, created_at="2025-10-02T09:00:00+00:00",
        )  # fmt: skip
        Remote(store).apply([change], "c1")
        (info,) = store.list()
        assert info.title == f"Action récupérée — {answers[mapping['lieu_action']]}"
    finally:
        store.close()
