"""The list of bilans: first start, grouping by campaign, statuses, deleting a draft, a new action."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.dialogs import NewActionDialog, ProfileDialog
from desktop.home import EMPTY_TEXT, HomeView
from desktop.home_model import ProgressDelegate
from desktop.main_window import MainWindow
from desktop.theme import STATUS_COLOURS
from forms.lifecycle import Status
from forms.registry import FormRegistry
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.conftest import ESSAI_FORM, ESSAI_VERSION, show
from tests.desktop.driver import Modals, button_named, click, type_into
from tests.desktop.storesetup import set_status
from tests.forms.sample_answers import complete_answers, structure_profile


def top_level(home: HomeView) -> list[str]:
    model = home.tree.model()
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def children(home: HomeView, group: int) -> list[QModelIndex]:
    """The first-column index of each questionnaire of the campaign at `group`, as the list shows them."""
    model = home.tree.model()
    parent = model.index(group, 0)
    return [model.index(j, 0, parent) for j in range(model.rowCount(parent))]


def rows(home: HomeView) -> list[tuple[str, str]]:
    """(title, status label) of every questionnaire, in list order."""
    found = []
    for i in range(home.tree.model().rowCount()):
        found += [(child.data(), child.siblingAtColumn(1).data()) for child in children(home, i)]
    return found


def select(home: HomeView, title: str) -> None:
    for i in range(home.tree.model().rowCount()):
        for child in children(home, i):
            if child.data() == title:
                home.tree.setCurrentIndex(child)
                return
    raise AssertionError(f"« {title} » is not in the list")


def test_first_start_says_what_to_do(open_window: Callable[[], MainWindow]) -> None:
    home = open_window().home
    assert home.empty_label.isVisible()
    assert home.empty_label.text() == EMPTY_TEXT
    assert "Nouvelle action" in EMPTY_TEXT
    assert not home.tree.isVisible()
    assert home.empty_button.isVisible()  # the first step, right under the explanation
    assert home.empty_button.mapTo(home, QPoint(0, 0)).y() < home.height() // 3
    assert home.new_button.isEnabled()
    assert not home.open_button.isEnabled()
    assert not home.delete_button.isEnabled()


def test_the_list_is_grouped_by_campaign_newest_first(
    essai_in_data_dir: Path, store: Store, registry: FormRegistry, open_window: Callable[[], MainWindow]
) -> None:
    store.create(form_id=OFFICIAL_FORM, title="Coup de pouce lecture")
    store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai de l'année suivante")
    store.create(form_id=OFFICIAL_FORM, title="Accompagnement des collégiens")
    home = open_window().home
    official, essai = registry.get(OFFICIAL_FORM), registry.get(ESSAI_FORM, ESSAI_VERSION)
    assert [heading.split(" · ")[0] for heading in top_level(home)] == [
        f"Campagne {essai.campaign.school_year} — {essai.title}",
        f"Campagne {official.campaign.school_year} — {official.title}",
    ]
    assert [title for title, _ in rows(home)] == [
        "Essai de l'année suivante",
        "Accompagnement des collégiens",  # the most recently edited first
        "Coup de pouce lecture",
    ]
    assert not home.empty_label.isVisible()


def test_statuses_have_their_label_colour_and_progress(store: Store, open_window: Callable[[], MainWindow]) -> None:
    for status in Status:
        uuid = store.create(form_id=OFFICIAL_FORM, title=f"Action {status.value}", answers=complete_answers()).uuid
        set_status(store, uuid, status)
    store.create(form_id=OFFICIAL_FORM, title="Vide")
    home = open_window().home
    listed = dict(rows(home))
    assert {listed[f"Action {s.value}"] for s in Status} == {s.label for s in Status}
    for item in children(home, 0):
        status = next(s for s in Status if s.label == item.siblingAtColumn(1).data())
        assert item.siblingAtColumn(1).data(Qt.ItemDataRole.BackgroundRole).color() == QColor(STATUS_COLOURS[status][0])
        bar = item.siblingAtColumn(2)  # painted by a delegate: no widget per row
        assert isinstance(home.tree.itemDelegateForColumn(2), ProgressDelegate)
        expected = "0 / 9 pages complètes" if item.data() == "Vide" else "9 / 9 pages complètes"
        assert bar.data() == expected


@pytest.mark.parametrize(
    ("choice", "deleted"), [(QMessageBox.StandardButton.Yes, True), (QMessageBox.StandardButton.No, False)]
)
def test_a_draft_is_deleted_only_after_confirmation(
    choice: QMessageBox.StandardButton,
    deleted: bool,
    store: Store,
    open_window: Callable[[], MainWindow],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Brouillon à jeter").uuid
    store.create(form_id=OFFICIAL_FORM, title="À garder")
    home = open_window().home
    asked: list[str] = []

    def question(_parent: object, title: str, text: str, *_args: object) -> QMessageBox.StandardButton:
        asked.append(text)
        return choice

    monkeypatch.setattr(QMessageBox, "question", question)
    select(home, "Brouillon à jeter")
    assert home.delete_button.isEnabled()
    click(home.delete_button)
    assert "Supprimer définitivement le brouillon « Brouillon à jeter »" in asked[0]
    assert (uuid not in {q.uuid for q in store.list()}) is deleted
    assert ("Brouillon à jeter" not in dict(rows(home))) is deleted
    assert "À garder" in dict(rows(home))


def test_a_transmitted_questionnaire_cannot_be_deleted(
    store: Store, open_window: Callable[[], MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Transmis", answers=complete_answers()).uuid
    store.transmit(uuid)
    window = open_window()
    select(window.home, "Transmis")
    assert not window.home.delete_button.isEnabled()
    assert window.home.delete_button.toolTip() == "Un questionnaire déjà transmis ne peut pas être supprimé."

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *_args: warned.append(text))
    window.delete_questionnaire(uuid)  # even if asked by another way, the store refuses
    assert warned == ["Seul un brouillon jamais transmis peut être supprimé."]
    assert store.get(uuid).status == Status.A_ENVOYER


def test_a_new_action_needs_a_title_and_starts_from_the_profile(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals
) -> None:
    store.save_profile(structure_profile())
    window = open_window()
    seen: dict[str, object] = {}

    def create(dialog: NewActionDialog) -> None:
        button_named(dialog, "Créer").click()  # no title yet
        seen["error"] = dialog.error.text() if dialog.error.isVisible() else None
        seen["still_open"] = dialog.isVisible()
        seen["note"] = dialog.findChildren(type(dialog.error))[-1].text()
        type_into(dialog.title_edit, "Coup de pouce « lecture » — école Jean-Moulin")
        button_named(dialog, "Créer").click()

    modals.when_shown(NewActionDialog, create)
    click(window.home.new_button)
    modals.check()
    assert seen["error"] == "Indiquez le nom de l'action (par exemple le lieu ou le quartier)."
    assert seen["still_open"] is True

    view = window.questionnaire_view
    assert view is not None
    assert view.title_label.text() == "Coup de pouce « lecture » — école Jean-Moulin"
    assert store.answers(view.uuid) == structure_profile()  # the fiche Structure is prefilled
    assert view.form.widgets["nom_structure"].value() == structure_profile()["nom_structure"]


def test_cancelling_a_new_action_creates_nothing(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals
) -> None:
    window = open_window()
    modals.when_shown(NewActionDialog, lambda dialog: button_named(dialog, "Annuler").click())
    click(window.home.empty_button)
    modals.check()
    assert store.list() == []
    assert window.questionnaire_view is None


def test_open_with_enter_and_come_back_to_the_list(store: Store, open_window: Callable[[], MainWindow]) -> None:
    store.create(form_id=OFFICIAL_FORM, title="Première")
    uuid = store.create(form_id=OFFICIAL_FORM, title="Seconde").uuid
    window = open_window()
    select(window.home, "Seconde")
    window.home.tree.setFocus()
    QTest.keyClick(window.home.tree, Qt.Key.Key_Return)
    assert window.questionnaire_view is not None
    assert window.questionnaire_view.uuid == uuid
    assert window.stack.currentWidget() is window.questionnaire_view

    QTest.keyClick(window.questionnaire_view.form.navigator, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.stack.currentWidget() is window.home
    assert window.questionnaire_view is None
    assert window.home.selected_uuid() == uuid


def test_the_structure_profile_is_one_page_that_says_it_is_saved(store: Store, qtbot: QtBot) -> None:
    """Finding 18: no page list holding one item, no greyed Précédente/Suivante; « Enregistré à » after typing."""
    dialog = ProfileDialog(store, store.registry.get(OFFICIAL_FORM))
    show(qtbot, dialog, resize=False)
    form = dialog.form
    assert form.navigator.isHidden()
    assert form.previous_button.isHidden()
    assert form.next_button.isHidden()
    edit = form.widgets["nom_structure"].edit  # type: ignore[attr-defined]
    assert edit.isVisible()
    assert edit.width() > dialog.width() // 2  # the page has the room the page list took
    assert "Enregistré à" not in dialog.saved_label.text()
    type_into(edit, "Centre social « Les Hauts »")
    qtbot.waitUntil(lambda: dialog.saved_label.text().startswith("Enregistré à "), timeout=5_000)
    assert store.profile() == {"nom_structure": "Centre social « Les Hauts »"}


def test_the_structure_profile_is_typed_once_and_saved_on_closing(
    store: Store, open_window: Callable[[], MainWindow], modals: Modals
) -> None:
    window = open_window()

    def fill_profile(dialog: ProfileDialog) -> None:
        assert [p.id for p in dialog.form.binding.pages] == ["identification_structure"]  # the fiche Structure only
        type_into(dialog.form.widgets["nom_structure"].edit, "Centre social « Les Hauts »")  # type: ignore[attr-defined]
        button_named(dialog, "Fermer").click()  # before the 300 ms pause: closing saves

    modals.when_shown(ProfileDialog, fill_profile)
    window.profile_action.trigger()
    modals.check()
    assert store.profile() == {"nom_structure": "Centre social « Les Hauts »"}
    created = store.create(form_id=OFFICIAL_FORM, title="Nouvelle")
    assert store.answers(created.uuid) == {"nom_structure": "Centre social « Les Hauts »"}
