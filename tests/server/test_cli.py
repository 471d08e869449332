"""`bilan-clas-server`: accounts, campaigns and the review loop from the command line, same database as HTTP."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from sync import protocol as p
from sync.server import campaigns
from sync.server.cli import main
from sync.server.settings import DATABASE_ENV
from tests.forms.sample_answers import FORM_ID
from tests.server.conftest import PASSWORD, Server, problem, version_body


def run(capsys: pytest.CaptureFixture[str], server: Server, *args: str) -> tuple[int, str, str]:
    """main() on the server's own database; returns (exit status, stdout, stderr)."""
    code = main([*args, "--database-url", server.ctx.settings.database_url])
    out, err = capsys.readouterr()
    return code, out, err


def test_accounts(server: Server, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    email = f"cli-{uuid.uuid4().hex[:8]}@exemple.fr"
    # A password is never taken on the command line (ps, shell history): the option does not exist.
    with pytest.raises(SystemExit) as refused:
        main(["add-partner", "--email", email, "--password", PASSWORD, "--caf", "73"])
    assert refused.value.code == 2
    capsys.readouterr()
    monkeypatch.setenv("BILAN_CLAS_PASSWORD", PASSWORD)
    code, out, _ = run(capsys, server, "add-partner", "--email", email, "--caf", "73", "--name", "Centre social")
    assert (code, out.strip()) == (0, f"Compte partenaire créé : {email} (Caf 73, Centre social)")
    login = server.anonymous().post("/auth/token", json={"email": email, "password": PASSWORD})
    assert p.TokenResponse.model_validate_json(login.content).role == "partner"
    code, _, err = run(capsys, server, "add-partner", "--email", email, "--caf", "73")
    assert code == 1
    assert err.strip() == f"bilan-clas-server : erreur : Un compte existe déjà pour {email}."
    # Without the variable, the password is asked for (getpass), never echoed.
    monkeypatch.delenv("BILAN_CLAS_PASSWORD")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "court")
    code, _, err = run(capsys, server, "add-reviewer", "--email", "agent@caf.fr", "--caf", "73")
    assert (code, "trop court" in err, "Traceback" in err) == (1, True, False)
    monkeypatch.setenv("BILAN_CLAS_PASSWORD", PASSWORD)
    agent = f"agent-{uuid.uuid4().hex[:8]}@caf73.fr"
    code, out, _ = run(capsys, server, "add-reviewer", "--email", agent, "--caf", "73")
    assert (code, out.strip()) == (0, f"Compte agent de Caf créé : {agent} (Caf 73, Caf 73)")
    assert server.anonymous().post("/auth/token", json={"email": agent, "password": PASSWORD}).status_code == 200


def test_usage_errors_are_one_french_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["add-partner", "--email", "x@y.fr"], ["campaign", "set", FORM_ID, "--closes", "demain"], ["inconnu"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert "erreur" in err


def test_campaign_set(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code, out, _ = run(capsys, server, "campaign", "set", FORM_ID, "--closes", "2031-01-15")
        assert (code, out.strip()) == (0, f"Campagne {FORM_ID} : du 10 septembre 2025 au 15 janvier 2031")
        listed = p.FormList.model_validate_json(server.anonymous().get("/forms").content)
        assert next(f for f in listed.forms if f.form_id == FORM_ID).closes == dt.date(2031, 1, 15)
        code, out, _ = run(capsys, server, "campaign", "list")
        assert f"{FORM_ID} v1 (2024-2025) : du 10 septembre 2025 au 15 janvier 2031" in out
        code, _, err = run(capsys, server, "campaign", "set", FORM_ID, "--closes", "2020-01-01")
        assert (code, "précède" in err) == (1, True)
        code, _, err = run(capsys, server, "campaign", "set", "clas-1999-2000", "--closes", "2031-01-01")
        assert (code, "Formulaire inconnu" in err) == (1, True)
        code, _, err = run(capsys, server, "campaign", "set", FORM_ID)
        assert code == 1
    finally:
        campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2030, 12, 31))


def test_review_loop_from_the_command_line(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    caf = f"c{uuid.uuid4().hex[:5]}"
    partner, reviewer = server.partner(caf=caf, name="Maison des Jeunes"), server.reviewer(caf=caf)
    qid, v1 = partner.transmit()
    code, out, _ = run(capsys, server, "review", "list", "--caf", caf)
    assert code == 0
    assert str(qid) in out
    assert "Transmis" in out
    assert "Maison des Jeunes" in out
    code, out, _ = run(capsys, server, "review", "list", "--caf", caf, "--state", "valide", "--json")
    assert json.loads(out) == {"questionnaires": []}

    notice = ["--message", "Précisez le bilan.", "--question", "bilan_qualitatif", "--reviewer", reviewer.email]
    code, out, _ = run(capsys, server, "review", "notice", str(qid), *notice)
    assert (code, "sur la question bilan_qualitatif" in out) == (0, True)
    code, _, err = run(
        capsys,
        server,
        "review",
        "notice",
        str(qid),
        "--message",
        "x",
        "--question",
        "nope",
        "--reviewer",
        reviewer.email,
    )
    assert (code, "Question inconnue" in err) == (1, True)
    code, out, _ = run(capsys, server, "review", "return", str(qid), "--reviewer", reviewer.email)
    assert (code, out.strip()) == (0, f"Questionnaire {qid} : À corriger")
    code, _, err = run(capsys, server, "review", "return", str(qid), "--reviewer", reviewer.email)
    assert (code, "« À corriger »" in err) == (1, True)

    view = p.QuestionnaireView.model_validate_json(partner.get(f"/questionnaires/{qid}").content)
    assert [(n.question_id, n.message) for n in view.notices] == [("bilan_qualitatif", "Précisez le bilan.")]
    _, v2 = partner.transmit(qid=qid, base=v1)
    code, _, err = run(capsys, server, "review", "validate", str(qid), "--reviewer", reviewer.email)
    assert (code, "Validez d'abord la fiche Structure de cette structure" in err) == (1, True)
    code, out, _ = run(capsys, server, "review", "validate-structure", str(qid), "--reviewer", reviewer.email)
    assert (code, "Fiche Structure de « Maison des Jeunes » validée" in out) == (0, True), out
    code, out, _ = run(capsys, server, "review", "validate", str(qid), "--reviewer", reviewer.email)
    assert (code, out.strip()) == (0, f"Questionnaire {qid} : Validé")
    problem(partner.put_version(qid, uuid.uuid4(), version_body(base=v2)), 409, p.NOT_EDITABLE)

    code, out, _ = run(capsys, server, "review", "show", str(qid))
    assert code == 0
    for expected in (
        "Validé",
        "Maison des Jeunes",
        "rév. 2",
        "[résolue] bilan_qualitatif : Précisez le bilan.",
        "validate",
        f"{partner.email}  transmit",
    ):
        assert expected in out
    code, out, _ = run(capsys, server, "review", "show", str(qid), "--json")
    # The partner's transmissions are in the journal too, between the Caf's actions.
    assert [e["action"] for e in json.loads(out)["audit"]] == [
        "transmit", "notice", "return", "transmit", "validate_structure", "validate"
    ]  # fmt: skip
    changes, _ = partner.all_changes()
    assert [c.data.get("state") for c in changes if c.type == "questionnaire.state"] == [
        "transmis",
        "a_corriger",
        "transmis",
        "valide",
    ]


def test_review_refusals(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    partner, outsider = server.partner(caf="73"), server.reviewer(caf="01")
    qid, _ = partner.transmit()
    code, _, err = run(capsys, server, "review", "validate", str(qid), "--reviewer", outsider.email)
    assert (code, err.strip()) == (
        1,
        f"bilan-clas-server : erreur : Questionnaire introuvable (ou hors de la Caf de l'agent) : {qid}",
    )
    code, _, err = run(capsys, server, "review", "validate", str(qid), "--reviewer", "personne@caf.fr")
    assert (code, "Aucun compte relecteur" in err) == (1, True)
    code, _, err = run(capsys, server, "review", "show", str(uuid.uuid4()))
    assert (code, "introuvable" in err) == (1, True)


def test_unreachable_database_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["review", "list", "--database-url", "postgresql+psycopg://personne@127.0.0.1:9/rien"])
    err = capsys.readouterr().err
    assert (code, err.count("\n"), "Base de données inaccessible" in err, "Traceback" in err) == (1, 1, True, False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_starts_with_one_command(tmp_path: Path) -> None:
    """The console script, a SQLite file from BILAN_CLAS_SERVER_DB, ready when uvicorn says so."""
    port = _free_port()
    env = {**os.environ, DATABASE_ENV: str(tmp_path / "demo.sqlite3")}
    command = [
        sys.executable,
        "-c",
        "from sync.server.cli import main; raise SystemExit(main())",
        "serve",
        "--port",
        str(port),
    ]
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stderr is not None
            for line in process.stderr:  # blocks until uvicorn reports it is listening
                if "Uvicorn running on" in line:
                    break
            else:
                pytest.fail("le serveur n'a pas démarré")
            meta = requests.get(f"http://127.0.0.1:{port}{p.API_PREFIX}/meta", timeout=10)
            assert p.Meta.model_validate_json(meta.content).api_version == p.API_VERSION
        finally:
            process.terminate()
            process.wait(timeout=20)
    assert (tmp_path / "demo.sqlite3").exists()
