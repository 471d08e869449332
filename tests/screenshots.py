"""Saves screenshots of the app, to look at it without a screen and keep docs/screenshots current.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.screenshots [--out docs/screenshots]

The list (empty, then with bilans in several statuses), every page of a half-filled questionnaire
(so that every page state shows), the new-action dialog, the list of points to complete before
transmitting, and a transmitted questionnaire (read-only) with the Caf's notices; then at 1024×600 and
1366×768 the list with the news banner, the structure profile, the login dialog, and a 150-character
title on three pages.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402 - after the platform is chosen

from desktop.app import _application  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from forms.lifecycle import Status  # noqa: E402
from forms.store import Store  # noqa: E402
from forms.store.news import News  # noqa: E402
from forms.store.outbox import Outbox  # noqa: E402
from forms.store.remote import SyncSummary  # noqa: E402
from tests.desktop.storesetup import add_notice, set_status  # noqa: E402
from tests.forms.sample_answers import complete_answers, structure_profile  # noqa: E402

WIDTH, HEIGHT = 1280, 860


def settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def save(widget: QWidget, path: Path) -> None:
    settle()
    widget.grab().save(str(path))
    print(path)


def fill(store: Store) -> tuple[str, str]:
    """A transmitted bilan with the Caf's notices, a half-filled one, a returned one; their uuids."""
    answers = complete_answers()
    store.save_profile(structure_profile())
    sent = store.create(form_id="clas-2024-2025", title="Accompagnement scolaire — quartier des Hauts", answers=answers)
    store.transmit(sent.uuid)
    outbox = Outbox(store)
    (item,) = outbox.items(sent.uuid)
    outbox.mark_sent(item.op_id, server_rev=1, state=Status.TRANSMIS.value)  # as the server's answer does
    add_notice(
        store, sent.uuid, "Merci de vérifier le nombre de familles : il paraît élevé pour 30 enfants.", "nb_familles"
    )
    add_notice(store, sent.uuid, "Pensez à joindre le compte rendu de l'assemblée générale à votre prochain envoi.")
    returned = store.create(form_id="clas-2024-2025", title="Ateliers du mercredi — Bissy", answers=answers)
    set_status(store, returned.uuid, Status.A_CORRIGER)
    add_notice(store, returned.uuid, "Le code Insee ne correspond pas à la commune indiquée.", "code_insee")
    half = store.create(form_id="clas-2024-2025", title="Coup de pouce lecture — école Jean-Moulin")
    partial = {k: v for k, v in answers.items() if k in structure_profile() or k in ("lieu_action", "commune", "qpv")}
    partial |= {"code_postal": "7300", "situations": {"difficultes_scolaires": "pour_beaucoup"}}
    store.replace_answers(half.uuid, partial)
    return sent.uuid, half.uuid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    app = _application()
    window = MainWindow(Path(tempfile.mkdtemp(prefix="bilan-clas-shots-")))
    window.resize(WIDTH, HEIGHT)
    window.show()
    while window.session is None:
        app.processEvents()
    save(window, out / "00-liste-vide.png")

    sent, half = fill(window.session.store)
    window.refresh_list()
    save(window, out / "01-liste.png")

    window.open_questionnaire(half)
    view = window.questionnaire_view
    assert view is not None
    for number, page in enumerate(view.binding.pages, 1):
        view.form.go_to_page(page.id)
        save(window, out / f"page-{number:02d}-{page.id}.png")
    view.form.go_to_page(view.binding.pages[0].id)

    from desktop.dialogs import NewActionDialog
    from desktop.questionnaire_view import ProblemsDialog

    dialog = NewActionDialog(window.session.registry.latest(), window.session.profile_filled(), window)
    dialog.title_edit.setText("Aide aux devoirs — collège Louise-Michel")
    dialog.show()
    save(dialog, out / "10-nouvelle-action.png")
    dialog.close()

    view.form.show_all_messages()
    problems = ProblemsDialog(view.binding, view.form.evaluation.blocking, window)
    problems.show()
    save(problems, out / "11-avant-de-transmettre.png")
    problems.close()

    window.open_questionnaire(sent)
    view = window.questionnaire_view
    assert view is not None
    view.form.focus_question("nb_familles")  # the Caf's notice beside its field
    save(window, out / "12-transmis-remarques-de-la-caf.png")

    small_screens(window, out)
    QApplication.closeAllWindows()
    print(f"Captures enregistrées dans {out}")


LONG_TITLE = (
    "Accompagnement à la scolarité des collégiens du quartier prioritaire des Hauts de Chambéry "
    "(groupe du mercredi après-midi, salle polyvalente Pré-Vert)"
)


def small_screens(window: MainWindow, out: Path) -> None:
    """A 1024×600 netbook and a 1366×768 laptop: the list, and a questionnaire with a 150-character title on
    its first page, its matrix page and the Bonus page with long check box labels (issue 15)."""
    assert window.session is not None
    store = window.session.store
    long = store.create(form_id="clas-2024-2025", title=LONG_TITLE, answers=complete_answers())
    News(store).add(SyncSummary(notices=2))  # the news banner, as a sync leaves it until « Compris »
    for width, height in ((1024, 600), (1366, 768)):
        size = f"{width}x{height}"
        window.show_home()
        window.resize(width, height)
        save(window, out / f"20-{size}-liste.png")
        dialogs(window, out, size, width, height)
        window.open_questionnaire(long.uuid)
        view = window.questionnaire_view
        assert view is not None
        for page in ("identification_structure", "public_situations", "bonus"):
            view.form.go_to_page(page)
            save(window, out / f"21-{size}-titre-long-{page}.png")


def dialogs(window: MainWindow, out: Path, size: str, width: int, height: int) -> None:
    """The structure profile (one page, « Enregistré à ») and the login with « Mot de passe oublié ? » open."""
    from desktop.dialogs import ProfileDialog
    from desktop.sync_dialogs import LoginDialog

    assert window.session is not None
    while window.sync is None:
        QApplication.processEvents()
    profile = ProfileDialog(window.session.store, window.session.registry.latest()[0], window)
    profile.resize(min(760, width), min(640, height - 40))
    profile.show()
    profile._on_saved(None)  # what an answer's save shows
    save(profile, out / f"22-{size}-profil-de-la-structure.png")
    profile.close()
    login = LoginDialog(window.sync, "https://bilan-clas.caf73.fr", "contact@reussir-ensemble.fr", window)
    login.forgot_button.setChecked(True)
    login.show()
    save(login, out / f"23-{size}-connexion-mot-de-passe-oublie.png")
    login.reject()


if __name__ == "__main__":
    main()
