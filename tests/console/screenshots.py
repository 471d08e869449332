"""Screenshots of every console page in docs/screenshots/caf/, in real headless Chromium at 1280×720
(full page height), on a demo Caf with questionnaires in every state.

    .venv/bin/python -m tests.console.screenshots
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from pathlib import Path

from selenium.webdriver.common.by import By

from sync import protocol as p
from sync.server import accounts, campaigns, review
from sync.server.app import create_app
from sync.server.console import listing
from sync.server.context import ServerContext
from sync.server.settings import Settings
from tests.console.browser import chromium
from tests.console.conftest import ConsoleServer, like_serve
from tests.console.test_browser_loop import sign_in
from tests.forms.sample_answers import FORM_ID, complete_answers
from tests.server.conftest import FAST_HASHER, Clock
from tests.support.live_server import ThreadedUvicorn

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "caf"
NAMES = [
    ("Association « Réussir Ensemble »", "Maison de quartier « Le Biollay »", "Chambéry"),
    ("Centre social des Charmettes", "École Jean-Jaurès", "Chambéry"),
    ("Mairie d'Aix-les-Bains", "Espace jeunes du Sierroz", "Aix-les-Bains"),
    ("Association Lire et Grandir", "Médiathèque Jean-Jacques-Rousseau", "Albertville"),
    ("Familles rurales de Maurienne", "Salle polyvalente", "Modane"),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="console-shots-"))
    clock = Clock()
    ctx = ServerContext.open(
        Settings(database_url=f"sqlite:///{folder / 's.sqlite3'}", clock=clock), hasher=FAST_HASHER
    )
    today = campaigns.local_today(ctx.now())
    campaigns.set_window(ctx, FORM_ID, opens=today - dt.timedelta(days=20), closes=today + dt.timedelta(days=13))
    live = like_serve(ThreadedUvicorn(create_app(ctx=ctx))).start()
    server = ConsoleServer(live.url, ctx, clock)
    try:
        reviewer = server.reviewer(caf="73")
        agent = accounts.find_account(ctx, reviewer.email, accounts.REVIEWER)
        ids = []
        for i, (organisation, place, commune) in enumerate(NAMES):
            partner = server.partner(caf="73", name=organisation)
            answers = complete_answers()
            answers.update(lieu_action=place, commune=commune, nom_structure=organisation)
            qid, vid = partner.transmit(answers)
            ids.append(qid)
            if i == 1:
                review.add_notice(
                    ctx,
                    agent,
                    qid,
                    p.NoticeCreate(
                        question_id="nb_familles",
                        message="Le nombre de familles semble faible pour 30 enfants : pouvez-vous le vérifier ?",
                    ),
                )
                review.return_for_correction(ctx, agent, qid)
                answers["nb_familles"] = 27
                partner.transmit(answers, qid=qid, base=vid)
            if i == 2:
                review.validate_structure(ctx, agent, qid)
                review.validate(ctx, agent, qid)
        server.partner(caf="73", name="Association des Hauts-de-Savoie")
        listing.set_funded(ctx, "73", FORM_ID, 8)
        qid = ids[1]
        review.add_notice(ctx, agent, qid, p.NoticeCreate(message="Merci d'avoir complété le bilan qualitatif."))
        pages = [
            ("01-tableau-de-bord", "/caf/tableau-de-bord"),
            ("02-liste", "/caf/questionnaires"),
            ("03-liste-recherche", "/caf/questionnaires?q=chambery&tri=organisation&ordre=asc"),
            ("04-questionnaire", f"/caf/questionnaires/{qid}"),
            ("05-modifier", f"/caf/questionnaires/{qid}/modifier"),
            ("06-renvoyer", f"/caf/questionnaires/{ids[0]}/renvoyer"),
            ("07-valider", f"/caf/questionnaires/{qid}/valider"),
            ("08-questionnaire-valide", f"/caf/questionnaires/{ids[2]}"),
            ("09-exports", "/caf/exports"),
            ("10-partenaires", "/caf/partenaires"),
            ("11-introuvable", f"/caf/questionnaires/{uuid.uuid4()}"),
        ]
        with chromium() as driver:
            driver.get(live.url + "/caf/connexion")
            driver.save_screenshot(str(OUT / "00-connexion.png"))
            sign_in(driver, live.url, reviewer.email)
            for name, path in pages:
                driver.get(live.url + path)
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(1280, min(max(720, height), 4000))
                driver.save_screenshot(str(OUT / f"{name}.png"))
                driver.set_window_size(1280, 720)
            # The journal, at the foot of a long page (beyond the 4000 px above): the Caf's and the partner's actions.
            driver.get(live.url + f"/caf/questionnaires/{qid}")
            journal = driver.find_element(By.XPATH, "//section[@aria-labelledby='journal']")
            journal.screenshot(str(OUT / "13-journal.png"))
            driver.get(live.url + "/caf/partenaires")
            driver.find_element(By.ID, "nom").send_keys("Mairie de Montmélian")
            driver.find_element(By.ID, "p-email").send_keys("clas@montmelian.exemple.fr")
            driver.find_element(By.XPATH, "//button[text()='Créer le compte']").click()
            driver.save_screenshot(str(OUT / "12-mot-de-passe-unique.png"))
    finally:
        live.stop()
        ctx.close()
    print(f"Captures dans {OUT}")


if __name__ == "__main__":
    main()
