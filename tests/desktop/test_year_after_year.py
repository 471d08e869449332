"""Year after year in the app (issue 12 items 3, 4, 5): duplicate an action from the list's context menu,
carried pages « à vérifier » until looked at, and a draft offered (never silently moved) to a newer
version of its definition, its archived answers shown."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from PySide6.QtWidgets import QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from desktop.main_window import MainWindow
from forms.registry import FormRegistry
from forms.store import Store
from tests.conftest import OFFICIAL_FORM, TEST_FORMS
from tests.desktop.driver import Modals
from tests.forms.sample_answers import complete_answers

ESSAI = "clas-essai-2025-2026"


def test_duplicate_from_the_context_menu(
    store: Store, open_window: Callable[[], MainWindow], qtbot: QtBot, modals: Modals
) -> None:
    source = store.create(form_id=OFFICIAL_FORM, title="Coup de pouce", answers=complete_answers()).uuid
    window = open_window()
    menu = window.home.context_menu(source)
    assert [a.text() for a in menu.actions()] == ["Dupliquer l'action…", "Nouveau bilan à partir de celui-ci…"]

    def name_it(dialog: QInputDialog) -> None:
        assert dialog.textValue() == "Coup de pouce (copie)"
        dialog.setTextValue("Coup de pouce – collège")
        dialog.accept()

    modals.when_shown(QInputDialog, name_it)
    menu.actions()[0].trigger()
    modals.check()
    view = window.questionnaire_view
    assert view is not None
    assert view.uuid != source
    twin = store.get(view.uuid)
    assert twin.title == "Coup de pouce – collège"
    assert "nb_seances" not in store.answers(twin.uuid)  # never a counted figure
    assert store.answers(twin.uuid)["lieu_action"] == complete_answers()["lieu_action"]
    assert view.carry_banner.text().startswith("Repris du bilan précédent, à vérifier : ")
    structure = store.definition(twin.uuid).page_of("nom_structure").title
    assert structure in view.carry_banner.text()

    # Looking at a carried page takes it off the list.
    first = view.form.current_page_id()
    view.form.go_to_page(next(p.id for p in store.definition(twin.uuid).pages if p.id != first))
    view.form.go_to_page(first)
    view._remember_page()
    assert structure not in view.carry_banner.text()


def test_a_draft_is_offered_the_newer_version(
    data_dir: Path, open_window: Callable[[], MainWindow], qtbot: QtBot, modals: Modals
) -> None:
    forms = data_dir / "forms"
    forms.mkdir(parents=True, exist_ok=True)
    shutil.copy(TEST_FORMS / "campagnes" / "clas-essai-2025-2026-v1.json", forms)
    with closing(Store.open(data_dir, FormRegistry.load(forms))) as store:
        answers = complete_answers() | {"numero_voie": "12 bis"}
        uuid = store.create(form_id=ESSAI, form_version=1, title="Action des Lilas", answers=answers).uuid
    shutil.copy(TEST_FORMS / "campagnes" / "clas-essai-2025-2026-v2.json", forms)  # received at a sync

    window = open_window()
    offered: list[str] = []

    def refuse(box: QMessageBox) -> None:
        offered.append(box.text())
        box.button(QMessageBox.StandardButton.No).click()

    modals.when_shown(QMessageBox, refuse)
    window.open_questionnaire(uuid)
    modals.check()
    assert "version 2" in offered[0]
    assert window.session is not None
    assert window.session.store.get(uuid).form_version == 1  # refused: nothing moved

    def accept(box: QMessageBox) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()

    window.show_home()
    modals.when_shown(QMessageBox, accept)
    window.open_questionnaire(uuid)
    modals.check()
    assert window.session.store.get(uuid).form_version == 2
    view = window.questionnaire_view
    assert view is not None
    assert "numero_voie (version 1) : 12 bis" in view.carry_banner.text()
