"""The whole review loop in a real headless Chromium against a real uvicorn, with the partner on the real
`bilan-clas` command line: transmit → the agent finds it, adds a notice on a question, returns it → the
partner syncs, sees the notice, corrects, transmits again → the agent sees the change, edits one answer,
enters the Sias number, validates → the partner syncs and holds « Validé » with the Caf's edit. The PDF
and the CSV/XLSX exports are downloaded with the browser's session and read back."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook
from pypdf import PdfReader
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import Store
from tests.console.browser import chromium
from tests.console.conftest import ConsoleServer
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
NOTICE = "Le nombre de familles semble faible pour 30 enfants : pouvez-vous le vérifier ?"


class Cli:
    """`bilan-clas` in a subprocess, with its own data folder and a file keyring."""

    def __init__(self, data_dir: Path, keyring_file: Path) -> None:
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "BILAN_CLAS_HOME": str(data_dir),
            "PYTHON_KEYRING_BACKEND": "tests.support.filekeyring.FileKeyring",
            "BILAN_CLAS_TEST_KEYRING": str(keyring_file),
            "PYTHONPATH": str(ROOT),
        }

    def __call__(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if password is not None:
            env["BILAN_CLAS_PASSWORD"] = password
        done = subprocess.run(
            [sys.executable, "-m", "desktop.cli", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done

    def store(self) -> Store:
        return Store.open(self.data_dir, FormRegistry.load(self.data_dir / "forms"))


def wait_for(driver: WebDriver, css: str) -> None:
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def flash(driver: WebDriver) -> str:
    wait_for(driver, ".flash")
    return driver.find_element(By.CSS_SELECTOR, ".flash").text


def sign_in(driver: WebDriver, base: str, email: str) -> None:
    driver.get(base + "/caf/connexion")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "button.primary").click()
    wait_for(driver, "nav[aria-label='Menu principal']")


def with_browser_cookies(driver: WebDriver) -> requests.Session:
    session = requests.Session()
    for cookie in driver.get_cookies():
        session.cookies.set(cookie["name"], cookie["value"], path=cookie.get("path", "/"))
    return session


@pytest.fixture(scope="module")
def server(sqlite_server: ConsoleServer) -> ConsoleServer:
    """The browser tests test the pages: SQLite only (the HTTP tests run on PostgreSQL too)."""
    return sqlite_server


@pytest.fixture
def driver() -> Iterator[WebDriver]:
    with chromium() as found:
        yield found


def test_whole_review_loop_in_chromium(server: ConsoleServer, driver: WebDriver, tmp_path: Path) -> None:
    reviewer = server.reviewer(caf="38")
    partner = server.partner(caf="38", name="Centre social « Les Écrins »")
    cli = Cli(tmp_path / "partner", tmp_path / "keyring.json")
    cli("login", "--server", server.url, "--email", partner.email, password=PASSWORD)
    store = cli.store()
    try:
        qid = store.create(form_id=FORM_ID, title="Clas des Écrins").uuid
        for question_id, value in complete_answers().items():
            store.set_answer(qid, question_id, value)
    finally:
        store.close()
    cli("transmit", qid)
    assert cli("sync").stdout == "1 questionnaire transmis.\n"

    # The agent: dashboard, list, the questionnaire.
    base = server.url
    sign_in(driver, base, reviewer.email)
    assert "1\nquestionnaires reçus" in driver.find_element(By.CSS_SELECTOR, ".figures").text
    driver.find_element(By.LINK_TEXT, "Questionnaires").click()
    driver.find_element(By.ID, "q").send_keys("ecrins")  # without the accent: the search folds them
    driver.find_element(By.CSS_SELECTOR, ".filters button").click()
    wait_for(driver, "table.list")
    driver.find_element(By.LINK_TEXT, "Centre social « Les Écrins »").click()
    wait_for(driver, "#remarques")
    assert driver.find_element(By.CSS_SELECTOR, ".meta .badge").text == "Transmis"
    assert "Fiche Structure" in driver.page_source
    assert "Fiche Action" in driver.page_source

    # A notice on a question, then back to the partner (with a confirmation page).
    Select(driver.find_element(By.ID, "question")).select_by_value("nb_familles")
    driver.find_element(By.ID, "message").send_keys(NOTICE)
    driver.find_element(By.XPATH, "//button[text()='Ajouter une remarque']").click()
    assert flash(driver).startswith("Remarque ajoutée")
    assert NOTICE in driver.find_element(By.ID, "q-nb_familles").text
    driver.find_element(By.LINK_TEXT, "Renvoyer pour correction").click()
    driver.find_element(By.XPATH, "//button[text()='Confirmer le renvoi']").click()
    assert flash(driver) == "Questionnaire renvoyé pour correction."
    assert driver.find_element(By.CSS_SELECTOR, ".meta .badge").text == "À corriger"

    # The partner: pulls the notice, corrects, transmits again.
    assert cli("sync").stdout == "1 questionnaire à corriger, 1 remarque de la Caf.\n"
    store = cli.store()
    try:
        assert store.get(qid).status is Status.A_CORRIGER
        assert [(n.question_id, n.message) for n in store.notices(qid)] == [("nb_familles", NOTICE)]
        store.set_answer(qid, "nb_familles", 26)
    finally:
        store.close()
    cli("transmit", qid)
    assert cli("sync").stdout == "1 questionnaire transmis.\n"

    # The agent sees the new version and what changed, edits one answer, enters the Sias number, validates.
    driver.refresh()
    wait_for(driver, "table.diff")
    changes = driver.find_element(By.CSS_SELECTOR, "table.diff").text
    assert "Nombre de familles différentes inscrites" in changes
    assert "24" in changes
    assert "26" in changes
    assert "Remarque résolue" in driver.find_element(By.ID, "q-nb_familles").text
    driver.find_element(By.LINK_TEXT, "Modifier les réponses").click()
    field = driver.find_element(By.ID, "f-nb_familles")
    field.clear()
    field.send_keys("27")
    driver.find_element(By.XPATH, "//button[text()='Enregistrer les modifications']").click()
    assert flash(driver).startswith("Réponses enregistrées")
    driver.find_element(By.ID, "caf-numero_sias").send_keys("123456789")
    driver.find_element(
        By.CSS_SELECTOR, "#caf-fields ~ form button, section[aria-labelledby='caf-fields'] button"
    ).click()
    assert flash(driver) == "Numéro Sias enregistré."
    history = driver.find_element(By.CSS_SELECTOR, "ol.versions").text
    assert "Version 4 · Caf" in history
    assert "Version 2 · Partenaire" in history
    driver.find_element(By.LINK_TEXT, "Valider la fiche Structure").click()
    driver.find_element(By.XPATH, "//button[text()='Confirmer la validation']").click()
    assert flash(driver).startswith("Fiche Structure validée")
    driver.find_element(By.LINK_TEXT, "Valider").click()
    driver.find_element(By.XPATH, "//button[text()='Confirmer la validation']").click()
    assert flash(driver) == "Questionnaire validé."
    assert driver.find_element(By.CSS_SELECTOR, ".meta .badge").text == "Validé"
    assert not driver.find_elements(By.LINK_TEXT, "Modifier les réponses")

    # The partner: Validé, with the Caf's edit and the Sias number.
    synced = cli("sync").stdout
    assert synced == "Fiche Structure validée par la Caf, 1 questionnaire validé, 2 modifications par la Caf.\n"
    store = cli.store()
    try:
        assert store.get(qid).status is Status.VALIDE
        answers = store.answers(qid)
        assert (answers["nb_familles"], answers["numero_sias"]) == (27, "123456789")
    finally:
        store.close()

    # Downloads with the browser's own session, read back.
    session = with_browser_cookies(driver)
    pdf = session.get(f"{base}/caf/documents/{qid}/bilan.pdf", timeout=60)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Centre social" in text or "Réussir Ensemble" in text
    assert "Validé" in text
    receipt = session.get(f"{base}/caf/documents/{qid}/accuse.pdf", timeout=60)
    assert receipt.status_code == 200
    assert "Accusé de transmission" in PdfReader(io.BytesIO(receipt.content)).pages[0].extract_text()
    exported = session.get(f"{base}/caf/exports/{FORM_ID}/questionnaires.csv", timeout=60)
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert [(r["questionnaire_id"], r["etat"], r["nb_familles"], r["numero_sias"]) for r in rows] == [
        (qid, "Validé", "27", "123456789")
    ]
    book = session.get(f"{base}/caf/exports/{FORM_ID}/questionnaires.xlsx", timeout=60)
    sheet = load_workbook(io.BytesIO(book.content), read_only=True).active
    assert sheet is not None
    header, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
    row = dict(zip(header, values[0], strict=True))
    assert (row["questionnaire_id"], row["etat"], row["nb_familles"]) == (qid, "Validé", 27)
