"""Saves a screenshot of the list and of every page of a questionnaire, to look at the app without a screen.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.screenshots [--out docs/screenshots]

The questionnaire is half filled from the test sample, so that every page state shows.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="docs/screenshots")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtWidgets import QApplication

    from desktop.app import _application
    from desktop.main_window import MainWindow
    from tests.forms.sample_answers import complete_answers

    app = _application()
    data = Path(tempfile.mkdtemp(prefix="bilan-clas-shots-"))
    window = MainWindow(data)
    window.resize(1280, 860)
    window.show()
    app.processEvents()
    window.home.grab().save(str(out / "00-liste-vide.png"))
    session = window.session
    assert session is not None
    answers = complete_answers()
    structure = {
        k: v
        for k, v in answers.items()
        if k in {q.id for q in session.registry.get("clas-2024-2025").part_questions("structure")}
    }
    session.store.save_profile(structure)
    done = session.store.create(form_id="clas-2024-2025", title="Accompagnement scolaire — quartier des Hauts")
    session.store.replace_answers(done.uuid, answers)
    session.store.transmit(done.uuid)
    half = session.store.create(form_id="clas-2024-2025", title="Coup de pouce lecture — école Jean-Moulin")
    partial = {
        k: v for k, v in answers.items() if k in structure or k in ("lieu_action", "commune", "qpv", "situations")
    }
    partial["code_postal"] = "7300"
    session.store.replace_answers(half.uuid, partial)
    window.refresh_list()
    app.processEvents()
    window.grab().save(str(out / "01-liste.png"))

    window.open_questionnaire(half.uuid)
    view = window.questionnaire_view
    assert view is not None
    for number, page in enumerate(view.binding.pages, 1):
        view.form.go_to_page(page.id)
        app.processEvents()
        window.grab().save(str(out / f"page-{number:02d}-{page.id}.png"))
    QApplication.closeAllWindows()
    print(f"Captures enregistrées dans {out}")


if __name__ == "__main__":
    main()
