"""The whole loop through the real code: Store, Synchroniser, SyncClient and the reference server.

fill → transmit with the server down → it comes back → sync → the Caf writes a notice on a question
and returns the questionnaire → pull → À corriger, editable, the notice on its question → fix →
transmit → sync → the Caf validates → pull → Validé and locked. Then the same loop through the
`bilan-clas` command line in subprocesses, with its exit codes and one-line French errors.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import NotEditable, Store
from forms.store.outbox import Outbox
from sync import account
from sync.engine import Synchroniser, last_sync
from sync.errors import Offline
from sync.server import campaigns
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import PASSWORD, Client
from tests.sync.support import FAR_CLOSE, LiveServer

ROOT = Path(__file__).resolve().parents[2]
NOTICE = "Le nombre de familles semble faible au regard des 30 enfants accueillis : pouvez-vous le vérifier ?"


def fill(store: Store, title: str = "Clas du Biollay") -> str:
    """A questionnaire filled answer by answer, as the form view saves them."""
    uuid = store.create(form_id=FORM_ID, title=title).uuid
    for question_id, value in complete_answers().items():
        store.set_answer(uuid, question_id, value)
    return uuid


def notice_and_return(reviewer: Client, qid: str) -> None:
    on_question = reviewer.post(
        f"/review/questionnaires/{qid}/notices", json={"question_id": "nb_familles", "message": NOTICE}
    )
    assert on_question.status_code == 201, on_question.text
    general = reviewer.post(f"/review/questionnaires/{qid}/notices", json={"message": "Merci pour ce bilan."})
    assert general.status_code == 201, general.text
    returned = reviewer.post(f"/review/questionnaires/{qid}/return")
    assert returned.status_code == 200, returned.text


def validate(reviewer: Client, qid: str) -> None:
    assert reviewer.post(f"/review/questionnaires/{qid}/validate-structure").status_code == 200
    validated = reviewer.post(f"/review/questionnaires/{qid}/validate")
    assert validated.status_code == 200, validated.text


def test_whole_loop_offline_transmission_notice_correction_validation(
    client_store: Store, live_server: LiveServer, reviewer: Client
) -> None:
    store = client_store
    live_server.stop()  # the association's connection is down from here

    qid = fill(store)
    v1 = store.transmit(qid)
    with pytest.raises(Offline) as offline:
        Synchroniser(store, account.connected_client(store)).run()
    assert "Pas de connexion au serveur" in str(offline.value)
    assert "Rien n'est perdu" in str(offline.value)
    assert store.get(qid).status == Status.A_ENVOYER
    assert [(i.op_id, i.state) for i in Outbox(store).items(qid)] == [(v1, "pending")]

    live_server.start()  # back online, same address
    result = Synchroniser(store, account.connected_client(store)).run()
    assert (result.sent, result.text()) == (1, "1 questionnaire transmis.")
    assert store.get(qid).status == Status.TRANSMIS
    assert [(v.version_id, v.server_rev) for v in store.versions(qid)] == [(v1, 1)]

    notice_and_return(reviewer, qid)
    result = Synchroniser(store, account.connected_client(store)).run()
    assert result.text() == "1 questionnaire à corriger, 2 remarques de la Caf."
    info = store.get(qid)
    assert info.status == Status.A_CORRIGER
    assert info.status.editable
    anchored = {n.question_id: (n.message, n.status) for n in store.notices(qid)}
    assert anchored == {"nb_familles": (NOTICE, "open"), None: ("Merci pour ce bilan.", "open")}

    store.set_answer(qid, "nb_familles", 26)
    v2 = store.transmit(qid)
    result = Synchroniser(store, account.connected_client(store)).run()
    assert result.sent == 1
    assert store.get(qid).status == Status.TRANSMIS
    assert {n.status for n in store.notices(qid)} == {"resolved"}  # answered by the new version

    validate(reviewer, qid)
    result = Synchroniser(store, account.connected_client(store)).run()
    assert result.text() == "Fiche Structure validée par la Caf, 1 questionnaire validé."
    assert store.get(qid).status == Status.VALIDE
    with pytest.raises(NotEditable, match="Validé"):
        store.set_answer(qid, "nb_familles", 27)
    with pytest.raises(NotEditable):
        store.transmit(qid)

    detail = reviewer.get(f"/review/questionnaires/{qid}").json()
    assert [v["version_id"] for v in detail["versions"]] == [v1, v2]
    assert [(v.version_id, v.server_rev) for v in store.versions(qid)] == [(v1, 1), (v2, 2)]
    assert detail["versions"][1]["answers"] == store.versions(qid)[1].answers
    assert Outbox(store).count("pending") == 0


# --- the same loop through the command line ----------------------------------------------------------


class Cli:
    """`bilan-clas` in a subprocess, with the data folder and a file keyring of the test."""

    def __init__(self, data_dir: Path, keyring_file: Path) -> None:
        self.env = {
            **os.environ,
            "BILAN_CLAS_HOME": str(data_dir),
            "PYTHON_KEYRING_BACKEND": "tests.support.filekeyring.FileKeyring",
            "BILAN_CLAS_TEST_KEYRING": str(keyring_file),
            "PYTHONPATH": str(ROOT),
        }
        self.env.pop("BILAN_CLAS_PASSWORD", None)

    def __call__(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if password is not None:
            env["BILAN_CLAS_PASSWORD"] = password
        return subprocess.run(
            [sys.executable, "-m", "desktop.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    """The command's refusal: exactly one line on stderr, no traceback."""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    return lines[0]


def test_whole_loop_through_the_command_line(
    live_server: LiveServer, partner: Client, reviewer: Client, data_dir: Path, tmp_path: Path
) -> None:
    cli = Cli(data_dir, tmp_path / "keyring.json")

    not_logged_in = cli("sync")
    assert not_logged_in.returncode == 5
    assert one_line_error(not_logged_in) == (
        "bilan-clas : Connectez-vous d'abord au serveur de votre Caf (adresse, e-mail, mot de passe)."
    )
    wrong = cli("login", "--server", live_server.url, "--email", partner.email, password="pas le bon")
    assert (wrong.returncode, one_line_error(wrong)) == (5, "bilan-clas : E-mail ou mot de passe incorrect.")
    logged = cli("login", "--server", live_server.url, "--email", partner.email, password=PASSWORD)
    assert logged.returncode == 0, logged.stderr
    assert logged.stdout.startswith(f"Connecté à {live_server.url} (Association « Réussir Ensemble »).")
    token = next(iter(json.loads((tmp_path / "keyring.json").read_text()).values()))
    assert len(token) >= 20

    live_server.stop()
    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:
        qid = fill(store)
    finally:
        store.close()
    transmitted = cli("transmit", qid)
    assert transmitted.returncode == 0, transmitted.stderr
    assert "« À envoyer »" in transmitted.stdout
    offline = cli("sync")
    assert offline.returncode == 4
    assert one_line_error(offline) == (
        "bilan-clas : Serveur injoignable : Pas de connexion au serveur. Rien n'est perdu : l'envoi sera repris."
    )

    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:  # nothing lost, nothing marked sent
        assert store.get(qid).status == Status.A_ENVOYER
        assert [i.state for i in Outbox(store).items(qid)] == ["pending"]
    finally:
        store.close()

    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:
        assert last_sync(store) is None  # a failed sync is not a sync
    finally:
        store.close()
    live_server.start()
    sent = cli("sync")
    assert (sent.returncode, sent.stdout, sent.stderr) == (0, "1 questionnaire transmis.\n", "")
    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:  # the command line's sync counts as the app's does
        synced = last_sync(store)
        assert synced is not None
        assert abs(dt.datetime.now(dt.UTC) - synced) < dt.timedelta(minutes=5)
    finally:
        store.close()

    notice_and_return(reviewer, qid)
    pulled = cli("sync")
    assert (pulled.returncode, pulled.stdout) == (0, "1 questionnaire à corriger, 2 remarques de la Caf.\n")
    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:
        assert store.get(qid).status == Status.A_CORRIGER
        assert [n.question_id for n in store.notices(qid) if n.message == NOTICE] == ["nb_familles"]
        store.set_answer(qid, "nb_familles", 26)
    finally:
        store.close()
    assert cli("transmit", qid).returncode == 0
    resent = cli("sync")
    assert (resent.returncode, resent.stdout) == (0, "1 questionnaire transmis.\n")

    validate(reviewer, qid)
    final = cli("sync")
    assert (final.returncode, final.stdout) == (0, "Fiche Structure validée par la Caf, 1 questionnaire validé.\n")

    # A refusal (the campaign closed in the meantime): exit 6, the server's French reason, nothing dropped.
    campaigns.set_window(live_server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2025, 10, 15))
    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:
        late = fill(store, "Clas des Charmettes")
        store.transmit(late)
    finally:
        store.close()
    refused = cli("sync")
    assert refused.returncode == 6
    assert refused.stdout == "1 envoi refusé.\n"
    assert one_line_error(refused) == (
        f"- Envoi refusé ({late}) : La campagne 2024-2025 est close depuis le 15 octobre 2025 "
        "(ouverte du 10 septembre 2025 au 15 octobre 2025)"
    )
    campaigns.set_window(live_server.ctx, FORM_ID, opens=None, closes=FAR_CLOSE)

    store = Store.open(data_dir, FormRegistry.load(data_dir / "forms"))
    try:
        assert store.get(qid).status == Status.VALIDE
        assert store.get(late).status == Status.A_ENVOYER
        assert [i.state for i in Outbox(store).items(late)] == ["failed"]
    finally:
        store.close()
    for path in data_dir.rglob("*"):  # the token lives in the keyring only
        assert not path.is_file() or token.encode() not in path.read_bytes(), path

    assert cli("logout").returncode == 0
    logged_out = cli("sync")
    assert (logged_out.returncode, one_line_error(logged_out)) == (
        5,
        "bilan-clas : Reconnectez-vous au serveur : la connexion n'est plus enregistrée sur cet ordinateur.",
    )
