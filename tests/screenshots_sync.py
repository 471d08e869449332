"""Screenshots of the sync states against a real reference server in this process: a questionnaire
returned with the Caf's notices, a refused transmission (Échec d'envoi), and the list showing both.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.screenshots_sync [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/screenshots")
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)

    import keyring

    from desktop.app import _application
    from desktop.main_window import MainWindow
    from sync import account
    from sync import protocol as p
    from sync.engine import Synchroniser
    from sync.server import campaigns, review
    from tests.forms.sample_answers import FORM_ID, complete_answers
    from tests.gui_sync.test_sync_gui import LiveServer
    from tests.server.conftest import PASSWORD
    from tests.support.memkeyring import MemoryKeyring

    keyring.set_keyring(MemoryKeyring())
    app = _application()
    folder = Path(tempfile.mkdtemp(prefix="bilan-clas-shots-sync-"))
    server = LiveServer(folder)
    server.start()
    window = MainWindow(folder / "data")
    window.resize(1280, 860)
    window.show()
    while window.sync is None:
        app.processEvents()
    store = window.session.store  # type: ignore[union-attr]
    account.login(store, server.url, server.partner, PASSWORD)

    returned = store.create(form_id=FORM_ID, title="Accompagnement scolaire — Les Hauts", answers=complete_answers())
    store.transmit(returned.uuid)
    Synchroniser(store, account.connected_client(store)).run()
    qid = uuid.UUID(returned.uuid)
    review.add_notice(server.ctx, server.reviewer, qid, p.NoticeCreate(
        question_id="nb_familles",
        message="Le nombre de familles paraît élevé par rapport aux enfants inscrits : pouvez-vous vérifier ?",
    ))  # fmt: skip
    review.add_notice(server.ctx, server.reviewer, qid, p.NoticeCreate(
        message="Merci de préciser dans le bilan qualitatif le lien avec les écoles du quartier.",
    ))  # fmt: skip
    review.return_for_correction(server.ctx, server.reviewer, qid)
    campaigns.set_window(server.ctx, FORM_ID, opens=dt.date(2025, 9, 10), closes=dt.date(2025, 10, 15))
    refused = store.create(form_id=FORM_ID, title="Coup de pouce lecture — Jean-Moulin", answers=complete_answers())
    store.transmit(refused.uuid)
    Synchroniser(store, account.connected_client(store)).run()  # its news stay in the store until « Compris »
    window.sync.probe()
    for _ in range(50):
        app.processEvents()
    window.refresh_list()
    app.processEvents()
    window.grab().save(str(out / "13-liste-apres-synchronisation.png"))
    window.open_questionnaire(returned.uuid)
    window.questionnaire_view.form.focus_question("nb_familles")  # type: ignore[union-attr]
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out / "14-a-corriger-remarques-de-la-caf.png"))
    window.open_questionnaire(refused.uuid)
    for _ in range(20):
        app.processEvents()
    window.grab().save(str(out / "15-echec-d-envoi.png"))
    window.close()
    server.stop()
    print(f"Captures enregistrées dans {out}")


if __name__ == "__main__":
    main()
