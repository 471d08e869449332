"""`bilan-clas notices UUID [--json]`, `bilan-clas reply NOTICE_ID --message TEXT`, and the open
notices in `check` and `export` (issue 14 item 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.cli import main
from forms.exchange import read_document
from forms.lifecycle import Status
from forms.store import Store
from tests.desktop.storesetup import add_notice, set_status
from tests.forms.sample_answers import FORM_ID, TITLE, complete_answers
from tests.forms.test_cli import Result, assert_refused


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


@pytest.fixture
def noticed(store: Store) -> tuple[str, str, str]:
    """A transmitted questionnaire with an open notice on a question, and a resolved general one."""
    uuid = store.create(form_id=FORM_ID, title=TITLE, answers=complete_answers()).uuid
    set_status(store, uuid, Status.TRANSMIS)
    on_question = add_notice(store, uuid, "Le nombre de familles <b>semble</b> faible.", "nb_familles")
    add_notice(store, uuid, "Ancienne remarque.", status="resolved")
    return uuid, on_question, store.definition(uuid).question("nb_familles").label


def test_notices_and_reply(data_dir: Path, noticed: tuple[str, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    uuid, notice_id, label = noticed
    listed = run(capsys, "notices", uuid)
    assert listed.code == 0, listed
    assert f"{notice_id}  [ouverte]" in listed.out
    assert label in listed.out
    assert "Le nombre de familles <b>semble</b> faible." in listed.out  # plain text, as written
    assert "[résolue]" in listed.out
    assert "Remarque générale" in listed.out

    replied = run(capsys, "reply", notice_id, "--message", "Nous avons accueilli 26 familles, c'est corrigé.")
    assert replied.code == 0, replied
    assert "à envoyer" in replied.out
    assert (
        "↳ votre réponse (à envoyer) : Nous avons accueilli 26 familles, c'est corrigé."
        in run(capsys, "notices", uuid).out
    )

    as_json = json.loads(run(capsys, "notices", uuid, "--json").out)
    first = next(n for n in as_json if n["notice_id"] == notice_id)
    assert (first["question_id"], first["question"], first["state"], first["state_label"]) == (
        "nb_familles", label, "open", "ouverte"
    )  # fmt: skip
    assert first["created_at"]
    [reply] = first["replies"]
    assert (reply["message"], reply["state"], reply["state_label"]) == (
        "Nous avons accueilli 26 familles, c'est corrigé.", "pending", "à envoyer"
    )  # fmt: skip


def test_check_and_export_include_the_open_notices(
    data_dir: Path, noticed: tuple[str, str, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    uuid, notice_id, label = noticed
    checked = run(capsys, "check", uuid, "--json")
    assert [n["notice_id"] for n in json.loads(checked.out)["open_notices"]] == [notice_id]
    text = run(capsys, "check", uuid).out
    assert "Remarques de la Caf ouvertes : 1" in text
    assert f"{label} : Le nombre de familles <b>semble</b> faible." in text
    exported = json.loads(run(capsys, "export", uuid).out)
    assert [n["notice_id"] for n in exported["open_notices"]] == [notice_id]
    # The export still reads back as an import file (the notices are informative, ignored).
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    assert read_document(path).answers == exported["answers"]


def test_reply_refusals_are_one_french_line(
    data_dir: Path, noticed: tuple[str, str, str], store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    uuid, notice_id, _ = noticed
    assert_refused(run(capsys, "reply", "inconnue", "--message", "Bonjour"), 3, "introuvable")
    assert_refused(run(capsys, "reply", notice_id, "--message", "   "), 3, "vide")
    set_status(store, uuid, Status.VALIDE)
    assert_refused(run(capsys, "reply", notice_id, "--message", "Trop tard"), 3, "Validé")
    assert_refused(run(capsys, "notices", "00000000-0000-4000-8000-000000000000"), 3)
