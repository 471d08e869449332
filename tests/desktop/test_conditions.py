"""Conditional questions appear and disappear as the user answers; hidden answers are never transmitted."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from desktop.form_view import FormView
from desktop.questionnaire_view import QuestionnaireView
from forms.store import Store
from tests.conftest import OFFICIAL_FORM
from tests.desktop.conftest import ESSAI_FORM, ESSAI_VERSION
from tests.desktop.driver import Modals, answer, button_named, click
from tests.forms.sample_answers import complete_answers


def shown(form: FormView, question_id: str) -> bool:
    """Whether the question is on its page (the page itself may be another one than the current)."""
    return not form.widgets[question_id].isHidden()


def test_statut_autre_appears_only_for_autre(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    form = open_view(store.create(form_id=OFFICIAL_FORM, title="Officiel").uuid).form
    assert not shown(form, "statut_autre")
    answer(form, "statut_structure", "autre")
    assert shown(form, "statut_autre")
    assert form.widgets["statut_autre"].isVisible()
    answer(form, "statut_structure", "public")
    assert not shown(form, "statut_autre")


def test_chained_conditions_hide_a_whole_branch(store: Store, open_view: Callable[[str], QuestionnaireView]) -> None:
    uuid = store.create(form_id=ESSAI_FORM, form_version=ESSAI_VERSION, title="Essai").uuid
    form = open_view(uuid).form
    assert [shown(form, q) for q in ("q_single_choice", "q_long_text")] == [False, False]

    answer(form, "q_yes_no", True)
    assert [shown(form, q) for q in ("q_single_choice", "q_long_text")] == [True, False]
    answer(form, "q_single_choice", "autre")
    assert [shown(form, q) for q in ("q_single_choice", "q_long_text")] == [True, True]
    answer(form, "q_long_text", "Gymnase")

    answer(form, "q_yes_no", False)  # the first link of the chain hides both
    assert [shown(form, q) for q in ("q_single_choice", "q_long_text")] == [False, False]
    assert store.answers(uuid)["q_long_text"] == "Gymnase"  # kept in the draft, in case the user comes back
    issues = {i.question_id for i in form.evaluation.blocking}
    assert not issues & {"q_single_choice", "q_long_text"}  # a hidden question is never required

    answer(form, "q_yes_no", True)  # coming back shows the answers again
    assert [shown(form, q) for q in ("q_single_choice", "q_long_text")] == [True, True]
    assert form.widgets["q_long_text"].value() == "Gymnase"


def test_a_section_title_hides_with_its_last_visible_question(
    store: Store, open_view: Callable[[str], QuestionnaireView]
) -> None:
    form = open_view(store.create(form_id=OFFICIAL_FORM, title="Officiel").uuid).form
    answer(form, "bonus_enfants", True)
    assert shown(form, "bonus_enfants_criteres")
    answer(form, "bonus_enfants", False)
    assert not shown(form, "bonus_enfants_criteres")
    page = form.page_views[form.pages.currentIndex()]
    assert all(not header.isHidden() for header, _ in page.sections)  # bonus_enfants itself is still there


def test_hidden_answers_are_not_transmitted(
    store: Store, open_view: Callable[[str], QuestionnaireView], qtbot: QtBot, modals: Modals
) -> None:
    uuid = store.create(form_id=OFFICIAL_FORM, title="Officiel", answers=complete_answers()).uuid
    view = open_view(uuid)
    form = view.form
    answer(form, "statut_structure", "autre")
    answer(form, "statut_autre", "Société coopérative d'intérêt collectif")
    answer(form, "bonus_parents", True)
    answer(form, "bonus_parents_criteres", ["projet_socio_educatif"])
    answer(form, "bonus_parents", False)
    answer(form, "statut_structure", "associatif")  # statut_autre is hidden again, its answer kept
    assert store.answers(uuid)["statut_autre"] == "Société coopérative d'intérêt collectif"

    modals.when_shown(QMessageBox, lambda box: button_named(box, "Transmettre").click())
    with qtbot.waitSignal(view.status_changed):
        click(view.transmit_button)
    sent = store.versions(uuid)[-1].answers
    assert "statut_autre" not in sent
    assert sent["statut_structure"] == "associatif"
    assert "bonus_parents_criteres" not in sent
