"""Accessibility in a real headless Chromium: an axe-core scan (from the npm registry, tests/console/
package-lock.json) of every console page finds no serious or critical violation; and a whole review
(sign in, find, add a notice, validate) done with the keyboard alone."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from sync.server import review
from tests.console.browser import chromium
from tests.console.conftest import ConsoleServer
from tests.console.test_browser_loop import sign_in
from tests.server.conftest import PASSWORD

AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def server(sqlite_server: ConsoleServer) -> ConsoleServer:
    """The browser tests test the pages: SQLite only (the HTTP tests run on PostgreSQL too)."""
    return sqlite_server


@pytest.fixture(scope="module")
def driver() -> Iterator[WebDriver]:
    with chromium() as found:
        yield found


def axe_violations(driver: WebDriver) -> list[dict[str, object]]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e)}])));"
    )
    return [v for v in json.loads(result) if v.get("impact") in ("serious", "critical")]


def console_pages(server: ConsoleServer) -> tuple[list[tuple[str, str]], str]:
    """Every page of the console (path, name), on a Caf with data in every state."""
    caf = "90"
    reviewer = server.reviewer(caf=caf)
    qid, _ = server.partner(caf=caf, name="Association « Accès pour tous »").transmit()
    review.add_notice(
        server.ctx,
        review_account(server, reviewer.email),
        qid,
        review_notice("Précisez le nombre de familles, s'il vous plaît."),
    )
    done, _ = server.partner(caf=caf, name="Centre social validé").transmit()
    review.validate_structure(server.ctx, review_account(server, reviewer.email), done)
    review.validate(server.ctx, review_account(server, reviewer.email), done)
    server.partner(caf=caf, name="Association sans transmission")
    pages = [
        ("/caf/tableau-de-bord", "tableau-de-bord"),
        ("/caf/questionnaires", "liste"),
        (f"/caf/questionnaires/{qid}", "questionnaire"),
        (f"/caf/questionnaires/{qid}/modifier", "modifier"),
        (f"/caf/questionnaires/{qid}/renvoyer", "renvoyer"),
        (f"/caf/questionnaires/{qid}/valider", "valider"),
        (f"/caf/questionnaires/{qid}/valider-structure", "valider-structure"),
        (f"/caf/questionnaires/{done}", "questionnaire-valide"),
        ("/caf/exports", "exports"),
        ("/caf/partenaires", "partenaires"),
        (f"/caf/questionnaires/{uuid.uuid4()}", "introuvable"),
    ]
    return pages, reviewer.email


def review_account(server: ConsoleServer, email: str):  # type: ignore[no-untyped-def]
    from sync.server import accounts

    return accounts.find_account(server.ctx, email, accounts.REVIEWER)


def review_notice(message: str):  # type: ignore[no-untyped-def]
    from sync import protocol as p

    return p.NoticeCreate(question_id="nb_familles", message=message)


def test_axe_finds_no_serious_or_critical_violation_on_any_page(server: ConsoleServer, driver: WebDriver) -> None:
    assert AXE.is_file(), "axe-core absent : lancez « npm ci » dans tests/console (fait par .ci/setup)"
    pages, email = console_pages(server)
    driver.delete_all_cookies()
    driver.get(server.url + "/caf/connexion")
    found = {"connexion": axe_violations(driver)}
    sign_in(driver, server.url, email)
    for path, name in pages:
        driver.get(server.url + path)
        found[name] = axe_violations(driver)
    # The one-time password page, and an edit form with errors.
    driver.get(server.url + "/caf/partenaires")
    driver.find_element(By.ID, "nom").send_keys("Mairie d'Accès")
    driver.find_element(By.ID, "p-email").send_keys(f"mairie-{uuid.uuid4().hex[:6]}@exemple.fr")
    driver.find_element(By.XPATH, "//button[text()='Créer le compte']").click()
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".otp")))
    found["mot-de-passe-unique"] = axe_violations(driver)
    driver.get(server.url + pages[3][0])
    field = driver.find_element(By.ID, "f-nb_familles")
    field.clear()
    field.send_keys("beaucoup")
    driver.find_element(By.XPATH, "//button[text()='Enregistrer les modifications']").click()
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".field-error")))
    found["modifier-erreurs"] = axe_violations(driver)
    summary = {name: [f"{v['id']} ({v['impact']}): {v.get('help')}" for v in vs] for name, vs in found.items()}
    assert summary == {name: [] for name in found}
    assert len(found) == 14
    # Negative control: the same scan does find a missing alt text and an unlabelled field.
    driver.get("data:text/html;charset=utf-8,<html lang=fr><title>t</title><img src=x.png><input type=text>")
    assert {v["id"] for v in axe_violations(driver)} >= {"image-alt", "label"}


def active(driver: WebDriver) -> str:
    element = driver.switch_to.active_element
    return (element.text or element.get_attribute("value") or element.get_attribute("id") or "").strip()


def tab_to(driver: WebDriver, wanted: str, *, limit: int = 400) -> None:
    """Press Tab until the focused element says `wanted` (its text, value or id): no mouse, no script."""
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if active(driver) == wanted:
            return
    raise AssertionError(f"« {wanted} » n'est pas atteignable au clavier")


def keys(driver: WebDriver, *typed: str) -> None:
    ActionChains(driver).send_keys(*typed).perform()


def test_a_whole_review_with_the_keyboard_only(server: ConsoleServer, driver: WebDriver) -> None:
    reviewer = server.reviewer(caf="91")
    qid, _ = server.partner(caf="91", name="Association du clavier").transmit()
    driver.delete_all_cookies()
    driver.get(server.url + "/caf/connexion")
    tab_to(driver, "email")
    keys(driver, reviewer.email, Keys.TAB, PASSWORD, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.title_contains("Tableau de bord"))
    tab_to(driver, "Questionnaires")
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.title_contains("Questionnaires"))
    tab_to(driver, "Association du clavier")
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.ID, "remarques")))
    tab_to(driver, "message")
    keys(driver, "Merci, bilan complet.")
    tab_to(driver, "Ajouter une remarque")
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".flash")))
    tab_to(driver, "Valider la fiche Structure")
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.title_contains("Valider la fiche Structure"))
    tab_to(driver, "Confirmer la validation")
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Fiche Structure"))
    tab_to(driver, "Valider")
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.title_contains("Valider"))
    tab_to(driver, "Confirmer la validation")
    keys(driver, Keys.ENTER)
    WebDriverWait(driver, 30).until(ec.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "validé"))
    detail = review.detail(server.ctx, None, qid)
    assert detail.summary.state == "valide"
    assert [n.message for n in detail.notices] == ["Merci, bilan complet."]
